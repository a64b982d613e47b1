import { createServer, type Server } from 'node:http';

/**
 * A stand-in OpenAI-compatible upstream that records the trace context of every request it
 * receives. `failWith` makes it answer every call with that status (a failing first provider).
 */
export class FakeLlmUpstream {
  /** `traceparent` of each request received, in order. */
  readonly traceparents: (string | undefined)[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    options: { failWith?: number; model?: string } = {},
  ): Promise<FakeLlmUpstream> {
    const model = options.model ?? 'fake-model-1';
    let upstream: FakeLlmUpstream | undefined = undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers.traceparent;
        upstream?.traceparents.push(typeof header === 'string' ? header : undefined);
        if (options.failWith) {
          res.writeHead(options.failWith, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"upstream failure"}}');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
        const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = (delta: object, finish: string | null) =>
            `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
          res.write(chunk({ role: 'assistant', content: 'Hello' }, null));
          res.write(chunk({ content: ' there' }, null));
          res.write(chunk({}, 'stop'));
          res.write(
            `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`,
          );
          res.end('data: [DONE]\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1,
            model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: 'Hello there' },
                finish_reason: 'stop',
              },
            ],
            usage,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstream = new FakeLlmUpstream(server, (server.address() as { port: number }).port);
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
