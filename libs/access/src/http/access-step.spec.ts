import { afterEach, describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { PinoLogger } from 'nestjs-pino';
import { DtoValidator, JsonBodyReader, MetricsRegistry, ProblemException } from '@app/platform';
import { AccessMetrics } from '../access.metrics.js';
import { BudgetLedger } from '../budgets/budget-ledger.js';
import { InMemoryBudgetStore } from '../budgets/in-memory-budget-store.js';
import { InMemoryUsageRecord } from '../budgets/in-memory-usage-record.js';
import { keyEntry } from '../keys/api-key.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { InMemoryRateLimitStore } from '../limits/in-memory-rate-limit-store.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { LoadShedder } from '../shedding/load-shedder.js';
import { AccessStep, type MeteredCall, type MeteredRoute } from './access-step.js';

class AskDto {
  @IsString({ message: 'q must be a string' })
  q!: string;
}

const logger = {
  assign: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setContext: () => undefined,
} as unknown as PinoLogger;

interface Setup {
  keys?: string[];
  maxInFlight?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  tokensPerDay?: number;
}

/** A real access step (in-memory stores) in front of a node:http server; one per test. */
function serve(setup: Setup, handle: (call: MeteredCall<AskDto>) => Promise<unknown>) {
  const registry = new MetricsRegistry();
  const metrics = new AccessMetrics(registry);
  const keys = new KeyRegistry({ entries: setup.keys ?? [] }, logger, metrics);
  keys.load();
  const weighed: AskDto[] = [];
  const route: MeteredRoute<AskDto> = {
    body: AskDto,
    reserveTokens: (body) => (weighed.push(body), 10),
  };
  const ledger = new BudgetLedger(
    new InMemoryBudgetStore(),
    new InMemoryUsageRecord(),
    {
      tokensPerDay: setup.tokensPerDay ?? 0,
      tokensPerMonth: 0,
      rollingTokens: 0,
      rollingHours: 24,
    },
    metrics,
    logger,
  );
  const step = new AccessStep(
    keys,
    new LoadShedder(setup.maxInFlight ?? 10, metrics),
    new RateLimiter(
      new InMemoryRateLimitStore(),
      { requests: setup.requestsPerMinute ?? 0, tokens: setup.tokensPerMinute ?? 0 },
      metrics,
      logger,
    ),
    metrics,
    logger,
    new JsonBodyReader(1024),
    new DtoValidator(),
    ledger,
  );
  const server = createServer((req, res) => {
    step.run(req, res, route, handle).then(
      (answer) => res.end(JSON.stringify(answer)),
      (error: unknown) => {
        const status = error instanceof ProblemException ? error.getStatus() : 500;
        res.statusCode = status;
        res.end(JSON.stringify({ status, detail: (error as ProblemException).detail }));
      },
    );
  });
  servers.push(server);
  const listening = new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return { listening, metrics: registry, weighed };
}
const servers: Server[] = [];

/** POSTs a body; resolves to the status, headers and parsed answer. */
function post(port: number, body: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: unknown }>(
    (resolve, reject) => {
      const req = request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/ask',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let raw = '';
          res.on('data', (c: Buffer) => (raw += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(raw) }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('AccessStep', () => {
  const key = 'k'.repeat(40);

  it('hands the handler the validated body, the client and a live signal; settles on close', async () => {
    let seen: MeteredCall<AskDto> | undefined;
    const { listening, metrics } = serve({ keys: [keyEntry('acme', key)] }, (call) => {
      seen = call;
      call.charge(7);
      return Promise.resolve({ ok: true });
    });
    const port = await listening;
    const answer = await post(port, '{"q":"hi"}', { authorization: `Bearer ${key}` });
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    expect(seen?.body).toBeInstanceOf(AskDto);
    expect(seen).toMatchObject({ body: { q: 'hi' }, clientId: 'acme' });
    expect(seen?.signal.aborted).toBe(false);
    // The lease settles on the response's close, which follows the answer.
    await new Promise((r) => setTimeout(r, 20));
    expect(await metrics.getSingleMetricAsString('access_tokens_total')).toContain(
      'access_tokens_total{client="acme"} 7',
    );
    expect(await metrics.getSingleMetricAsString('access_requests_total')).toContain(
      'access_requests_total{client="acme"} 1',
    );
  });

  it('refuses a missing key with 401 before reading the body', async () => {
    let called = false;
    const { listening } = serve({ keys: [keyEntry('acme', key)] }, () => {
      called = true;
      return Promise.resolve({});
    });
    const answer = await post(await listening, 'not even json');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBeDefined();
    expect(called).toBe(false);
  });

  it('validates the body once with the route DTO: a wrong field is a 400', async () => {
    const { listening } = serve({}, () => Promise.resolve({}));
    const answer = await post(await listening, '{"q":5}');
    expect(answer).toMatchObject({ status: 400 });
  });

  it('sheds with 503 and Retry-After once the replica is full, and frees the slot after', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    // The first request holds the only slot until released; later ones answer at once.
    const { listening } = serve({ maxInFlight: 1 }, () =>
      calls++ === 0
        ? new Promise((resolve) => (release = () => resolve({ done: true })))
        : Promise.resolve({ done: true }),
    );
    const port = await listening;
    const first = post(port, '{"q":"a"}');
    await new Promise((r) => setTimeout(r, 50));
    const shed = await post(port, '{"q":"b"}');
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    release();
    expect((await first).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await post(port, '{"q":"c"}')).status).toBe(200);
  });

  it('refuses past the per-minute request limit with 429 and its headers', async () => {
    const { listening } = serve({ requestsPerMinute: 1 }, () => Promise.resolve({}));
    const port = await listening;
    const first = await post(port, '{"q":"a"}');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBeDefined();
    const second = await post(port, '{"q":"b"}');
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('estimates the cost only when a token limit or budget weighs it', async () => {
    const open = serve({ requestsPerMinute: 100 }, () => Promise.resolve({}));
    await post(await open.listening, '{"q":"a"}');
    expect(open.weighed).toEqual([]);
    const perMinute = serve({ tokensPerMinute: 1000 }, () => Promise.resolve({}));
    await post(await perMinute.listening, '{"q":"a"}');
    expect(perMinute.weighed).toHaveLength(1);
    const budgeted = serve({ keys: [keyEntry('acme', key)], tokensPerDay: 1000 }, () =>
      Promise.resolve({}),
    );
    await post(await budgeted.listening, '{"q":"a"}', { authorization: `Bearer ${key}` });
    expect(budgeted.weighed).toHaveLength(1);
  });

  it("aborts the handler's signal when the client leaves before the answer", async () => {
    let signal: AbortSignal | undefined;
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((r) => (entered = r));
    const { listening } = serve({}, (call) => {
      signal = call.signal;
      entered();
      return new Promise(() => undefined);
    });
    const port = await listening;
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/ask',
      headers: { 'content-type': 'application/json' },
    });
    req.on('error', () => undefined);
    req.end('{"q":"a"}');
    await inside;
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(signal?.aborted).toBe(true);
  });
});
