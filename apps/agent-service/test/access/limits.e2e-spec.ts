import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from '../support/api-keys.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** Per-client budgets in process memory (the Redis store is covered by the integration suites). */
describe('rate limits', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const boot = async (vars: Record<string, string>) => (t = await createTestApp(vars));
  const ask = (app: TestApp, headers: Record<string, string>, body: object = { prompt: 'hi' }) =>
    request(app.server).post('/query').set(headers).send(body);

  it('lets RATE_LIMIT_REQUESTS_PER_MINUTE through per client, then 429s with Retry-After', async () => {
    const acme = testKey('acme');
    const beta = testKey('beta');
    const app = await boot({
      API_KEYS: `${acme.entry},${beta.entry}`,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '3',
    });
    const firstSent = Date.now();
    for (let i = 1; i <= 3; i++) {
      const ok = await ask(app, bearer(acme.key)).expect(200);
      expect(ok.headers['ratelimit-policy']).toBe('"requests";q=3;w=60');
      const [, left, reset] = /^"requests";r=(\d+);t=(\d+)$/.exec(ok.headers['ratelimit']) ?? [];
      expect(Number(left)).toBe(3 - i);
      // Seconds until the first request leaves the 60 s window (a slow machine has used some).
      expect(Number(reset)).toBeGreaterThan(30);
      expect(Number(reset)).toBeLessThanOrEqual(61);
      expect(ok.headers['x-ratelimit-limit-requests']).toBe('3');
      expect(ok.headers['x-ratelimit-remaining-requests']).toBe(String(3 - i));
      expect(ok.headers['x-ratelimit-reset-requests']).toMatch(/^(\d+(\.\d+)?s|1m\d+(\.\d+)?s)$/);
      expect(ok.headers['x-ratelimit-limit-tokens']).toBeUndefined();
    }
    const refused = await ask(app, bearer(acme.key)).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The first request leaves the window a minute after it was admitted: a slow machine has
    // used some of that minute by now.
    const elapsed = Math.ceil((Date.now() - firstSent) / 1000);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59 - elapsed);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(61);
    expect(refused.headers['ratelimit']).toMatch(/^"requests";r=0;t=\d+$/);
    expect(refused.body).toMatchObject({
      type: QUOTA_EXCEEDED,
      title: 'Too Many Requests',
      status: 429,
      detail: 'Rate limit exceeded: requests per minute',
      'violated-policies': ['requests'],
      instance: '/query',
    });
    // Another client has its own budget; history reads are not metered.
    await ask(app, bearer(beta.key)).expect(200);
    await request(app.server).get('/queries').set(bearer(acme.key)).expect(200);

    const metrics = (await request(app.server).get('/metrics')).text;
    expect(metrics).toContain('access_rate_limited_total{client="acme",policy="requests"} 1');
    expect(metrics).toContain('access_requests_total{client="acme"} 3');
  });

  it('applies the overrides of a key entry instead of the defaults', async () => {
    const small = testKey('small', 'rpm=1');
    const unlimited = testKey('vip', 'rpm=0');
    const app = await boot({
      API_KEYS: `${small.entry},${unlimited.entry}`,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '5',
    });
    await ask(app, bearer(small.key)).expect(200);
    await ask(app, bearer(small.key)).expect(429);
    for (let i = 0; i < 8; i++) {
      const res = await ask(app, bearer(unlimited.key)).expect(200);
      expect(res.headers['ratelimit']).toBeUndefined();
    }
  });

  it('reserves max_tokens plus the prompt at admission and charges tokens_used afterwards', async () => {
    const acme = testKey('acme');
    const app = await boot({ API_KEYS: acme.entry, RATE_LIMIT_TOKENS_PER_MINUTE: '300' });
    // Reserves 200 + 1: remaining is shown after the reservation...
    const first = await ask(app, bearer(acme.key), { prompt: 'hi', max_tokens: 200 }).expect(200);
    expect(first.headers['x-ratelimit-limit-tokens']).toBe('300');
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe('99');
    expect(first.headers['ratelimit-policy']).toBeUndefined();
    const used = first.body.tokens_used as number;
    // ...then only tokens_used stays charged, so another 200-token reservation fits.
    const second = await ask(app, bearer(acme.key), { prompt: 'hi', max_tokens: 200 }).expect(200);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe(String(300 - used - 201));
    // 2 × tokens_used are charged now: a reservation of 300 - tokens_used does not fit.
    const over = { prompt: 'hi', max_tokens: 300 - used };
    const refused = await ask(app, bearer(acme.key), over).expect(429);
    expect(refused.body['violated-policies']).toEqual(['tokens']);
    expect(refused.headers['x-ratelimit-remaining-tokens']).toBe(String(300 - 2 * used));
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const metrics = (await request(app.server).get('/metrics')).text;
    expect(metrics).toContain(`access_tokens_total{client="acme"} ${2 * used}`);
  });

  it('does not charge tokens for a request that failed validation', async () => {
    const acme = testKey('acme');
    const app = await boot({ API_KEYS: acme.entry, RATE_LIMIT_TOKENS_PER_MINUTE: '250' });
    await ask(app, bearer(acme.key), { prompt: '', max_tokens: 200 }).expect(400);
    const ok = await ask(app, bearer(acme.key), { prompt: 'hi', max_tokens: 200 }).expect(200);
    expect(ok.headers['x-ratelimit-remaining-tokens']).toBe('49');
  });

  it('limits per remote address when the service runs without keys', async () => {
    const app = await boot({ RATE_LIMIT_REQUESTS_PER_MINUTE: '2' });
    await ask(app, {}).expect(200);
    await ask(app, {}).expect(200);
    const refused = await ask(app, {}).expect(429);
    expect(refused.body['violated-policies']).toEqual(['requests']);
    const metrics = (await request(app.server).get('/metrics')).text;
    expect(metrics).toContain('access_rate_limited_total{client="anonymous",policy="requests"} 1');
  });

  it('sends no rate-limit headers when no limit is configured (the plain contract)', async () => {
    const app = await boot({});
    const res = await ask(app, {}).expect(200);
    expect(Object.keys(res.headers).filter((h) => /ratelimit|retry-after/i.test(h))).toEqual([]);
    expect(res.body.client_id).toBeNull();
  });
});

describe('load shedding', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers 503 at once beyond MAX_IN_FLIGHT while /health keeps answering', async () => {
    t = await createTestApp({ MAX_IN_FLIGHT: '2', BUILTIN_LATENCY_MS: '1000' });
    const app = t;
    // then() sends each request now: supertest is lazy.
    const slow = [1, 2].map((i) =>
      request(app.server)
        .post('/query')
        .send({ prompt: `slow ${i}` })
        .then((r) => r),
    );
    // Both must be running before the third arrives.
    await waitFor('two requests in flight', async () =>
      (await request(app.server).get('/metrics')).text.includes('access_in_flight_requests 2'),
    );
    const started = Date.now();
    const shed = await request(app.server).post('/query').send({ prompt: 'third' }).expect(503);
    expect(Date.now() - started).toBeLessThan(400);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.body).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity',
      status: 503,
      detail: 'The service is at capacity; retry shortly',
    });
    await request(app.server).get('/health').expect(200);
    await request(app.server).get('/ready').expect(200);
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
    // The slots are free again.
    await request(app.server).post('/query').send({ prompt: 'after' }).expect(200);
    const metrics = (await request(app.server).get('/metrics')).text;
    expect(metrics).toContain('access_shed_total 1');
    expect(metrics).toContain('access_in_flight_requests 0');
  });

  it('charges a streamed answer its tokens_used when the stream ends, holding its slot until then', async () => {
    const acme = testKey('acme');
    const app = (t = await createTestApp({
      API_KEYS: acme.entry,
      RATE_LIMIT_TOKENS_PER_MINUTE: '1000',
      MAX_IN_FLIGHT: '1',
      BUILTIN_LATENCY_MS: '600',
    }));
    const ask = (body: object) =>
      request(app.server).post('/query').set(bearer(acme.key)).send(body);
    const streamed = ask({ prompt: 'one two three', max_tokens: 200, stream: true }).then(
      (res) => res,
    );
    // While the stream runs it holds the only slot: a second request is shed.
    await waitFor('the stream holds its slot', async () => {
      const metrics = (await request(app.server).get('/metrics')).text;
      return metrics.includes('access_in_flight_requests 1');
    });
    await ask({ prompt: 'hi' }).expect(503);
    const done = await streamed;
    expect(done.status).toBe(200);
    const used = Number(/"tokens_used":(\d+)/.exec(done.text)?.[1]);
    expect(used).toBeGreaterThan(0);
    // After the stream only tokens_used stays charged, not the 200-token reservation.
    await waitFor('the stream is charged', async () => {
      const metrics = (await request(app.server).get('/metrics')).text;
      return metrics.includes(`access_tokens_total{client="acme"} ${used}`);
    });
    // A reservation of 10 + 1 for the next request: the stream's 200 were given back.
    const next = await ask({ prompt: 'hi', max_tokens: 10 }).expect(200);
    expect(next.headers['x-ratelimit-remaining-tokens']).toBe(String(1000 - used - 11));
  });
});
