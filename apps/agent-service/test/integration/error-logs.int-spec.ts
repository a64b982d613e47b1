import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, ServiceProcess } from '../support/service-process.js';
import { TestDatabase } from '../support/servers.js';
import { waitFor } from '../support/wait.js';

interface LoggedError {
  type?: unknown;
  code?: unknown;
  frames?: unknown;
  message?: unknown;
}

/** The `err` of a log line names the error's class and where it came from, never its message. */
function expectRealError(err: LoggedError | undefined, type: string): void {
  expect(err).toBeDefined();
  expect(err!.type).toBe(type);
  expect(err!.message).toBeUndefined();
  expect(Array.isArray(err!.frames)).toBe(true);
  const frames = err!.frames as string[];
  expect(frames.length).toBeGreaterThan(0);
  for (const frame of frames) expect(frame).toMatch(/^at /);
}

/** Error log lines from real failures: an unreachable provider and a refusing database. */
describe('error logs', () => {
  let service: ServiceProcess | undefined;
  let db: TestDatabase;
  const canary = `canary-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    db = await TestDatabase.create();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  afterAll(() => db.drop());

  it('logs a failed provider call with its type and stack frames, quoting nothing', async () => {
    // Nothing listens on this port: every call to the provider fails to connect.
    const closed = await freePort();
    service = await ServiceProcess.start({
      LOG_LEVEL: 'info',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `http://127.0.0.1:${closed}/v1`,
      LLM_API_KEY: `sk-${canary}`,
      LLM_MODEL: 'test-model',
      LLM_MAX_RETRIES: '0',
    });
    await service.waitUntilLive();
    const res = await service.query({ prompt: `tell me about ${canary}` });
    expect(res.status).toBe(502);
    await service.waitForLog('request failed');

    const line = service.logs().find((l) => l.msg === 'request failed');
    expect(line).toMatchObject({ level: 50, route: '/query', res: { status: 502 } });
    expectRealError(line!.err as LoggedError, 'ProviderError');
    expect((line!.err as { frames: string[] }).frames.join('\n')).toContain('provider');
    expect([...service.stdout, ...service.stderr].join('\n')).not.toContain(canary);
  });

  it('logs a record refused by PostgreSQL with the driver error class and SQLSTATE', async () => {
    service = await ServiceProcess.start({
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      DATABASE_MIGRATE_ON_START: 'true',
    });
    await service.waitUntilLive();
    await waitFor('database ready', async () => (await fetch(`${service!.url}/ready`)).ok);
    // A constraint no row satisfies: every insert fails in PostgreSQL itself (SQLSTATE 23514).
    await db.query('ALTER TABLE query_history ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');

    expect((await service.query({ prompt: `remember ${canary}` })).status).toBe(200);
    await service.waitForLog('history record refused by PostgreSQL', 15_000);

    const line = service.logs().find((l) => l.msg === 'history record refused by PostgreSQL');
    expect(line).toMatchObject({ level: 50 });
    expectRealError(line!.err as LoggedError, 'QueryFailedError');
    expect((line!.err as LoggedError).code).toBe('23514');
    const all = [...service.stdout, ...service.stderr].join('\n');
    expect(all).not.toContain(canary);
    expect(all).not.toContain('refuse_all');
  });
});
