import { createServer, type Server, type ServerResponse } from 'node:http';
import { upstreamUrl } from './upstream-url.js';

/**
 * An OpenAI-compatible upstream that misbehaves on request, chosen by the prompt (the last
 * message's content):
 * - `giant-event…`: a streamed answer with one normal chunk, then one SSE event of 50 MB;
 *   without streaming, a 50 MB JSON body;
 * - `giant-body…`: a 100 MB JSON body;
 * - `fail…`: status 500;
 * - anything else: a normal answer `Echo: <prompt>`, streamed or not.
 * It writes with backpressure and records how many bytes each answer got out before the
 * service closed the connection.
 */
export class HostileUpstream {
  readonly requests: string[] = [];
  /** Bytes written per answer that was cut off by the service, in order. */
  readonly cutOffAfter: number[] = [];
  private server: Server | undefined;

  get url(): string {
    return upstreamUrl(this.server);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as {
          stream?: boolean;
          messages: { content: string }[];
          model: string;
        };
        const prompt = body.messages.at(-1)?.content ?? '';
        this.requests.push(prompt);
        this.answer(res, prompt, body.stream === true, body.model);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private answer(res: ServerResponse, prompt: string, stream: boolean, model: string): void {
    const mib = 1024 ** 2;
    if (prompt.startsWith('fail')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"boom"}}');
      return;
    }
    if (prompt.startsWith('giant-body')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      this.flood(res, '{"choices":[{"message":{"content":"', 'x', 100 * mib);
      return;
    }
    if (prompt.startsWith('giant-event')) {
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        this.flood(res, '{"choices":[{"message":{"content":"', 'x', 50 * mib);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, 'Hello'));
      this.flood(res, 'data: {"choices":[{"index":0,"delta":{"content":"', 'y', 50 * mib);
      return;
    }
    const text = `Echo: ${prompt}`;
    const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [
            { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, text));
    res.end(chunk(model, '', 'stop', usage) + 'data: [DONE]\n\n');
  }

  /** Writes `head` then `unit` until `total` bytes, waiting for drain; stops when cut off. */
  private flood(res: ServerResponse, head: string, unit: string, total: number): void {
    const block = Buffer.from(unit.repeat(64 * 1024));
    let sent = Buffer.byteLength(head);
    let closed = false;
    res.on('close', () => {
      closed = true;
      if (sent < total) this.cutOffAfter.push(sent);
    });
    res.write(head);
    const pump = () => {
      while (!closed && sent < total) {
        sent += block.length;
        if (!res.write(block)) return void res.once('drain', pump);
      }
      if (!closed) res.end();
    };
    pump();
  }
}

function chunk(model: string, content: string, finish: string | null = null, usage?: object) {
  const body = {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}
