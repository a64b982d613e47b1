import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, testKey } from '../support/api-keys.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** Seconds from now until the next UTC midnight, as Retry-After counts them (rounded up). */
function secondsToMidnight(): number {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

/** Token budgets in process memory, end to end: refusals, their headers, usage reports. */
describe('token budgets', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const acme = testKey('acme', 'tpd=300');
  const beta = testKey('beta');
  const boot = async (vars: Record<string, string> = {}) =>
    (t = await createTestApp({
      API_KEYS: `${acme.entry},${beta.entry}`,
      BUDGET_TOKENS_PER_MONTH: '100000',
      ...vars,
    }));

  it('refuses a spent day with 429, Retry-After until UTC midnight and the budget policies', async () => {
    const app = await boot();
    const answered: number[] = [];
    let refused: request.Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await request(app.server)
        .post('/query')
        .set(bearer(acme.key))
        .send({ prompt: `question ${i} `.repeat(20), max_tokens: 100 });
      if (res.status === 429) refused = res;
      else {
        expect(res.status).toBe(200);
        answered.push(res.body.tokens_used as number);
        const monthSeconds = Number(
          /"tokens-per-month";q=100000;qu="tokens";w=(\d+)/.exec(
            res.headers['ratelimit-policy'],
          )?.[1],
        );
        expect(res.headers['ratelimit-policy']).toBe(
          `"tokens-per-day";q=300;qu="tokens";w=86400, "tokens-per-month";q=100000;qu="tokens";w=${monthSeconds}`,
        );
        expect([28, 29, 30, 31]).toContain(monthSeconds / 86_400);
        expect(res.headers['ratelimit']).toMatch(
          /^"tokens-per-day";r=\d+;t=\d+, "tokens-per-month";r=\d+;t=\d+$/,
        );
      }
    }
    expect(refused).toBeDefined();
    const spent = answered.reduce((a, b) => a + b, 0);
    // Admitted only while spent + the reservation (prompt and max_tokens) fit in 300; one at a
    // time, nothing is in flight to overspend with.
    expect(answered.length).toBeGreaterThan(1);
    expect(spent).toBeLessThanOrEqual(300);
    expect(refused!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused!.body).toMatchObject({
      type: QUOTA_EXCEEDED,
      status: 429,
      detail: 'Token budget exhausted: tokens-per-day',
      'violated-policies': ['tokens-per-day'],
    });
    const retry = Number(refused!.headers['retry-after']);
    expect(Math.abs(retry - secondsToMidnight())).toBeLessThanOrEqual(5);
    expect(refused!.headers['ratelimit']).toMatch(
      new RegExp(
        `^"tokens-per-day";r=${Math.max(0, 300 - spent)};t=\\d+, "tokens-per-month";r=\\d+;t=\\d+$`,
      ),
    );
    // On /v1 the same refusal is an OpenAI error; another client is not affected.
    const chat = await request(app.server)
      .post('/v1/chat/completions')
      .set(bearer(acme.key))
      .send({ model: 'builtin', messages: [{ role: 'user', content: 'hi' }] })
      .expect(429);
    expect(chat.body.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    expect(chat.headers['retry-after']).toBeDefined();
    await request(app.server)
      .post('/query')
      .set(bearer(beta.key))
      .send({ prompt: 'hi' })
      .expect(200);

    // The client's own report: today's use, what is left.
    const usage = await request(app.server).get('/v1/usage').set(bearer(acme.key)).expect(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body).toMatchObject({
      object: 'usage',
      client_id: 'acme',
      to: today,
      days: [{ date: today, tokens: spent, requests: answered.length }],
      total: { tokens: spent, requests: answered.length },
      lifetime: { tokens: spent, requests: answered.length },
    });
    expect(usage.body.budgets).toEqual([
      expect.objectContaining({
        policy: 'tokens-per-day',
        limit: 300,
        used: spent,
        remaining: Math.max(0, 300 - spent),
      }),
      expect.objectContaining({ policy: 'tokens-per-month', limit: 100000, used: spent }),
    ]);
    expect(usage.body.budgets[0].resets_at).toMatch(/T00:00:00\.000Z$/);
  });

  it('charges a streamed answer when its stream ends', async () => {
    const app = await boot();
    const stream = await request(app.server)
      .post('/query')
      .set(bearer(beta.key))
      .send({ prompt: 'stream me', stream: true })
      .expect(200);
    expect(stream.text).toContain('event: done');
    const tokens = Number(/"tokens_used":(\d+)/.exec(stream.text)?.[1]);
    expect(tokens).toBeGreaterThan(0);
    const usage = await request(app.server).get('/v1/usage').set(bearer(beta.key)).expect(200);
    expect(usage.body.total).toEqual({ tokens, requests: 1 });
  });

  it('answers /v1/usage for the caller only, validating the range in OpenAI error shape', async () => {
    const app = await boot();
    await request(app.server)
      .post('/query')
      .set(bearer(beta.key))
      .send({ prompt: 'hi' })
      .expect(200);
    const own = await request(app.server).get('/v1/usage').set(bearer(acme.key)).expect(200);
    expect(own.body.days).toEqual([]);
    await request(app.server).get('/v1/usage').expect(401);
    const bad = await request(app.server)
      .get('/v1/usage?from=2026-02-30')
      .set(bearer(acme.key))
      .expect(400);
    expect(bad.body.error.message).toBe('from must be a date such as 2026-01-31');
    const reversed = await request(app.server)
      .get('/v1/usage?from=2026-03-02&to=2026-03-01')
      .set(bearer(acme.key))
      .expect(400);
    expect(reversed.body.error.message).toBe('to must not be before from');
    await request(app.server)
      .get('/v1/usage?from=2024-01-01&to=2026-01-01')
      .set(bearer(acme.key))
      .expect(400);
    await request(app.server).get('/v1/usage?client=beta').set(bearer(acme.key)).expect(400);
  });

  it('serves /admin/usage behind the admin credential, and not at all without one', async () => {
    let app = await boot();
    const missing = await request(app.server).get('/admin/usage?client=beta').expect(404);
    expect(missing.body.detail).toBe('Cannot GET /admin/usage');
    await t!.close();
    app = await boot({ ADMIN_TOKEN });
    await request(app.server)
      .post('/query')
      .set(bearer(beta.key))
      .send({ prompt: 'hi' })
      .expect(200);
    const denied = await request(app.server)
      .get('/admin/usage?client=beta')
      .set(bearer(acme.key))
      .expect(403);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    const report = await request(app.server)
      .get('/admin/usage?client=beta')
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    expect(report.body).toMatchObject({ client_id: 'beta', total: { requests: 1 } });
    expect(report.body.budgets).toEqual([
      expect.objectContaining({ policy: 'tokens-per-month', limit: 100000 }),
    ]);
    const bad = await request(app.server)
      .get('/admin/usage?client=%20x')
      .set(bearer(ADMIN_TOKEN))
      .expect(400);
    expect(JSON.stringify(bad.body)).not.toContain('%20x');
  });
});
