import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, {
  type APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { testKey } from './support/api-keys.js';
import { ServiceProcess } from './support/service-process.js';

/** The official `openai` package as a client of the running service, changed only in baseURL. */
describe('OpenAI-compatible API with the official SDK (process)', () => {
  let service: ServiceProcess;
  let client: OpenAI;

  beforeAll(async () => {
    service = await ServiceProcess.start({ LOG_LEVEL: 'warn', BUILTIN_LATENCY_MS: '200' });
    await service.waitUntilLive();
    client = new OpenAI({ baseURL: `${service.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 });
  });
  afterAll(() => service.stop());

  it('creates a chat completion, recorded in the history under its id', async () => {
    const completion = await client.chat.completions.create({
      model: 'builtin-echo',
      messages: [{ role: 'user', content: 'hello sdk' }],
      max_tokens: 50,
      temperature: 0.2,
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'builtin-echo',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Processed: hello sdk' },
          finish_reason: 'stop',
        },
      ],
    });
    const { prompt_tokens, completion_tokens, total_tokens } = completion.usage!;
    expect(prompt_tokens + completion_tokens).toBe(total_tokens);
    const id = completion.id.replace(/^chatcmpl-/, '');
    expect((await fetch(`${service.url}/queries/${id}`)).status).toBe(200);
  });

  it('streams chunks with the usage at the end, and shares the cache with POST /query', async () => {
    const stream = await client.chat.completions.create({
      model: 'builtin-echo',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'stream me please' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join('')).toBe('Processed: stream me please');
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);

    // The same conversation with the same parameters is served from the cache.
    const body: OpenAI.ChatCompletionCreateParamsNonStreaming = {
      model: 'builtin-echo',
      messages: [{ role: 'user', content: 'cached entry' }],
    };
    await client.chat.completions.create(body);
    const again = await fetch(`${service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(again.headers.get('x-cache')).toBe('HIT');
  });

  it('lists and retrieves the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['builtin-echo']);
    await expect(client.models.retrieve('builtin-echo')).resolves.toMatchObject({
      object: 'model',
    });
    await expect(client.models.retrieve('gpt-9')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('raises OpenAI errors for bad requests, unknown models and refused parameters', async () => {
    const ask = (body: Record<string, unknown>) =>
      client.chat.completions.create({
        model: 'builtin-echo',
        messages: [{ role: 'user', content: 'x' }],
        ...body,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const cases: [Record<string, unknown>, string, string | null][] = [
      [{ max_tokens: 0 }, 'max_tokens', 'integer_below_min_value'],
      [{ n: 9 }, 'n', 'integer_out_of_range'],
      [{ tools: [{ type: 'code_interpreter' }] }, 'tools[0].type', 'unsupported_parameter'],
      [
        { tools: [{ type: 'function', function: { name: 'bad name' } }] },
        'tools[0].function.name',
        null,
      ],
      [{ tool_choice: 'required' }, 'tool_choice', null],
      [{ response_format: { type: 'xml' } }, 'response_format.type', null],
      [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', null],
      [{ audio: { voice: 'alloy' } }, 'audio', 'unsupported_parameter'],
      [{ messages: [] }, 'messages', null],
      [{ messages: [{ role: 'user', content: '   ' }] }, 'messages', null],
      [
        { messages: [{ role: 'function', content: 'x', name: 'f' }] },
        'messages[0].role',
        'unsupported_parameter',
      ],
      [{ temperature: 'hot' }, 'temperature', null],
      [{ bogus: 1 }, 'bogus', 'unknown_parameter'],
    ];
    for (const [body, param, code] of cases) {
      const error = await ask(body).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as APIError).error).toMatchObject({
        type: 'invalid_request_error',
        param,
        code,
      });
    }
    const unknown = await ask({ model: 'gpt-9' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as APIError).code).toBe('model_not_found');
  });
});

/** Keys and limits through the SDK: its own error classes, from OpenAI-shaped bodies. */
describe('OpenAI-compatible API with keys and limits, through the official SDK (process)', () => {
  const acme = testKey('acme');
  let service: ServiceProcess;
  const sdk = (apiKey: string) =>
    new OpenAI({ baseURL: `${service.url}/v1`, apiKey, maxRetries: 0 });
  const ask = (apiKey: string) =>
    sdk(apiKey).chat.completions.create({
      model: 'builtin-echo',
      messages: [{ role: 'user', content: 'who am I' }],
    });

  beforeAll(async () => {
    service = await ServiceProcess.start({
      LOG_LEVEL: 'warn',
      API_KEYS: acme.entry,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '2',
    });
    await service.waitUntilLive();
  });
  afterAll(() => service.stop());

  it('raises AuthenticationError for an unknown key, with OpenAI error fields', async () => {
    const error = await ask('sk-not-a-key').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
    expect((error as APIError).headers?.get('www-authenticate')).toMatch(/^Bearer\b/);
    const models = await sdk('sk-not-a-key')
      .models.list()
      .catch((e: unknown) => e);
    expect(models).toBeInstanceOf(AuthenticationError);
  });

  it('answers a good key, then raises RateLimitError with Retry-After past the budget', async () => {
    const answered = await ask(acme.key);
    expect(answered.choices[0]?.message.content).toBe('Processed: who am I');
    await ask(acme.key);
    const error = await ask(acme.key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as APIError).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    expect(Number((error as APIError).headers?.get('retry-after'))).toBeGreaterThan(0);
  });
});
