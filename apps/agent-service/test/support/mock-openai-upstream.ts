import { createServer, type Server, type ServerResponse } from 'node:http';
import { upstreamUrl } from './upstream-url.js';

type Json = Record<string, unknown>;
interface Message {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}
interface Tool {
  function: { name: string; parameters?: Json };
}

/**
 * An OpenAI Chat Completions server for the tests, written from OpenAI's API reference rather
 * than from the service's code:
 * - with `tools` and no `tool` turn after the last user turn: it calls the tool `tool_choice`
 *   names, or the first, with each required property filled (`"Oslo"`, 1, true, an enum's first);
 * - after a `tool` turn: `Mock saw: <the tool results>`;
 * - with `response_format` json_schema: the required properties filled the same way;
 * - else `Mock answer to: <the last user turn>`; `n` choices, each the same.
 * Streamed answers open with a role chunk, send tool-call arguments in three pieces and one
 * empty delta, then the finish reason, then the usage when `stream_options.include_usage` is
 * set. Every request body is kept (the last 100) for the tests to read.
 */
export class MockOpenAiUpstream {
  readonly requests: Json[] = [];
  private server: Server | undefined;
  private count = 0;

  get url(): string {
    return upstreamUrl(this.server);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            '{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}',
          );
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        this.requests.push(body);
        if (this.requests.length > 100) this.requests.shift();
        this.answer(res, body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The last request body the upstream received. */
  get last(): Json {
    const last = this.requests.at(-1);
    if (!last) throw new Error('no request yet');
    return last;
  }

  private answer(res: ServerResponse, body: Json): void {
    const id = `chatcmpl-mock-${++this.count}`;
    const created = 1_700_000_000;
    const model = String(body.model);
    const n = typeof body.n === 'number' ? body.n : 1;
    const { content, call } = decide(body);
    const finish = call ? 'tool_calls' : 'stop';
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    if (body.stream !== true) {
      const message = {
        role: 'assistant',
        content: call ? null : content,
        refusal: null,
        ...(call ? { tool_calls: [call] } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          system_fingerprint: 'fp_mock',
          choices: Array.from({ length: n }, (_, index) => ({
            index,
            message,
            logprobs: null,
            finish_reason: finish,
          })),
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (delta: Json, finishReason: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock', choices: Array.from({ length: n }, (_, index) => ({ index, delta, logprobs: null, finish_reason: finishReason })) })}\n\n`,
      );
    send({ role: 'assistant', content: call ? null : '' });
    if (call) {
      const args = call.function.arguments;
      const third = Math.ceil(args.length / 3);
      send({
        tool_calls: [
          {
            index: 0,
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: '' },
          },
        ],
      });
      for (let i = 0; i < args.length; i += third) {
        send({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + third) } }] });
      }
    } else {
      for (const word of content.split(/(?<= )/)) send({ content: word });
    }
    send({});
    send({}, finish);
    if ((body.stream_options as Json | undefined)?.include_usage === true) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }
}

function decide(body: Json): {
  content: string;
  call?: { id: string; type: 'function'; function: { name: string; arguments: string } };
} {
  const messages = body.messages as Message[];
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  const results = messages.slice(lastUser + 1).filter((m) => m.role === 'tool');
  const tools = (body.tools as Tool[] | undefined) ?? [];
  const named = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
  const tool = named ? tools.find((t) => t.function.name === named) : tools[0];
  if (results.length === 0 && tool && body.tool_choice !== 'none') {
    const args = JSON.stringify(filled(tool.function.parameters));
    return {
      content: '',
      call: {
        id: `call_mock_${lastUser}`,
        type: 'function',
        function: { name: tool.function.name, arguments: args },
      },
    };
  }
  const text =
    results.length > 0
      ? `Mock saw: ${results.map((r) => textOf(r.content)).join(', ')}`
      : `Mock answer to: ${textOf(messages[lastUser]?.content)}`;
  const format = body.response_format as
    { type?: string; json_schema?: { schema?: Json } } | undefined;
  if (format?.type === 'json_schema')
    return { content: JSON.stringify(filled(format.json_schema?.schema, text)) };
  return { content: text };
}

function filled(schema: Json | undefined, text = 'Oslo'): Json {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  const required = (schema?.required ?? []) as string[];
  const value = (p: Json): unknown =>
    Array.isArray(p.enum)
      ? p.enum[0]
      : p.type === 'number' || p.type === 'integer'
        ? 1
        : p.type === 'boolean'
          ? true
          : p.type === 'object'
            ? filled(p, text)
            : p.type === 'array'
              ? []
              : text;
  return Object.fromEntries(required.map((name) => [name, value(properties[name] ?? {})]));
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}
