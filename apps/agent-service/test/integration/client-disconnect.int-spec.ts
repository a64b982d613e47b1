import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bearer, testKey } from '../support/api-keys.js';
import { TestRedis } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait.js';

/**
 * A client that goes away cancels the provider call: the OpenAI-compatible server (a local
 * stand-in) sees its connection closed, nothing is charged, and the history says so.
 */
describe('client disconnect', () => {
  let llm: Server;
  let redis: TestRedis;
  let service: ServiceProcess | undefined;
  const upstream: { closedEarly: boolean; answered: boolean }[] = [];
  let hold = true;

  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        model: 'stand-in',
        choices: [{ message: { role: 'assistant', content: 'an answer' } }],
        usage: { prompt_tokens: 7, completion_tokens: 3 },
      }),
    );
  };

  beforeAll(async () => {
    redis = await TestRedis.create();
    llm = createServer((req: IncomingMessage, res: ServerResponse) => {
      const call = { closedEarly: false, answered: false };
      upstream.push(call);
      req.resume();
      res.on('close', () => {
        if (!res.writableFinished) call.closedEarly = true;
      });
      if (!hold) {
        call.answered = true;
        answer(res);
      }
      // Held calls never answer: only the caller can end them.
    });
    await new Promise<void>((r) => llm.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  afterAll(async () => {
    llm.closeAllConnections();
    await new Promise<void>((r) => llm.close(() => r()));
    await redis.close();
  });

  it('aborts the provider call, records the query as cancelled and charges nothing', async () => {
    const acme = testKey('acme');
    service = await ServiceProcess.start({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`,
      LLM_TIMEOUT_MS: '30000',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      API_KEYS: acme.entry,
      RATE_LIMIT_TOKENS_PER_MINUTE: '1000',
    });
    await service.waitUntilLive();
    const port = service.port;

    // A client that sends its query and hangs up while the provider is still thinking.
    hold = true;
    const client = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/query',
      headers: { 'content-type': 'application/json', ...bearer(acme.key) },
    });
    client.on('error', () => undefined);
    client.end(JSON.stringify({ prompt: 'never mind', max_tokens: 300 }));
    await waitFor('the provider call', () => upstream.length === 1);
    client.destroy();
    await waitFor('the provider connection closed', () => upstream[0].closedEarly, 5_000);
    // No retry of a cancelled call.
    expect(upstream).toHaveLength(1);

    const history = await fetch(`${service.url}/queries`, { headers: bearer(acme.key) });
    const [record] = ((await history.json()) as { items: Record<string, unknown>[] }).items;
    expect(record).toMatchObject({
      client_id: 'acme',
      outcome: 'cancelled',
      prompt: 'never mind',
      response: null,
      tokens_used: 0,
      max_tokens: 300,
    });

    // The reservation was released, not charged: the next answer sees the whole budget.
    hold = false;
    const next = await service.query({ prompt: 'now answer', max_tokens: 100 }, bearer(acme.key));
    expect(next.status).toBe(200);
    expect(((await next.json()) as { tokens_used: number }).tokens_used).toBe(10);
    expect(next.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - 103));
    // ...and only tokens_used of that answer stays charged, once.
    const after = await service.query({ prompt: 'again', max_tokens: 100 }, bearer(acme.key));
    expect(after.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - 10 - 102));
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('access_tokens_total{client="acme"} 20');
    expect(metrics).toContain('access_in_flight_requests 0');
    // The log line of the request that went away names the client, not the key.
    const text = service.stdout.join('\n');
    expect(text).not.toContain(acme.key);
  });
});
