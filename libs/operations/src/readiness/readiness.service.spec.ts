import { afterEach, describe, expect, it } from '@jest/globals';
import { TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { ShutdownState, type ReadinessCheck } from '@app/platform';
import { READINESS_CHECKS, READINESS_OPTIONS } from './readiness.options.js';
import { ReadinessService } from './readiness.service.js';

const up = (): Promise<void> => Promise.resolve();
const down = (): Promise<void> => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432'));
const hangs = (signal: AbortSignal): Promise<void> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

function check(
  name: ReadinessCheck['name'],
  required: boolean,
  ping: ReadinessCheck['ping'],
): ReadinessCheck {
  return { name, required, ping };
}

describe('ReadinessService', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function make(checks: ReadinessCheck[], timeoutMs = 200) {
    moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        ReadinessService,
        ShutdownState,
        { provide: READINESS_CHECKS, useValue: checks },
        { provide: READINESS_OPTIONS, useValue: { timeoutMs } },
      ],
    }).compile();
    return { readiness: moduleRef.get(ReadinessService), shutdown: moduleRef.get(ShutdownState) };
  }

  it('is ready with both dependencies reported not_configured when none is configured', async () => {
    const { readiness } = await make([]);
    expect(await readiness.evaluate()).toEqual({
      ready: true,
      status: 'ok',
      checks: { database: 'not_configured', cache: 'not_configured', api: 'responsive' },
      details: {
        database: { status: 'not_configured', required: false },
        cache: { status: 'not_configured', required: false },
      },
    });
  });

  it('is ok when every configured dependency answers, with each latency', async () => {
    const { readiness } = await make([check('database', true, up), check('cache', false, up)]);
    const result = await readiness.evaluate();
    expect(result).toMatchObject({
      ready: true,
      status: 'ok',
      checks: { database: 'up', cache: 'up', api: 'responsive' },
    });
    expect(result.details.database).toEqual({
      status: 'up',
      required: true,
      latency_ms: expect.any(Number),
    });
    expect(result.details.cache?.required).toBe(false);
  });

  it('is unavailable when a required dependency is down, with a fixed reason only', async () => {
    const { readiness } = await make([check('database', true, down), check('cache', false, up)]);
    const result = await readiness.evaluate();
    expect(result).toMatchObject({
      ready: false,
      status: 'unavailable',
      checks: { database: 'down', cache: 'up' },
    });
    expect(result.details.database).toMatchObject({ status: 'down', error: 'unavailable' });
    expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
  });

  it('is degraded but ready when only an optional dependency is down', async () => {
    const { readiness } = await make([check('database', true, up), check('cache', false, down)]);
    expect(await readiness.evaluate()).toMatchObject({
      ready: true,
      status: 'degraded',
      checks: { database: 'up', cache: 'down' },
    });
  });

  it('gives up on a check that hangs after the timeout, and says so', async () => {
    const { readiness } = await make([check('database', true, hangs)], 100);
    const started = Date.now();
    const result = await readiness.evaluate();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.ready).toBe(false);
    expect(result.details.database).toMatchObject({ status: 'down', error: 'timeout' });
  });

  it('answers shutting_down from the first signal, keeping the last known states', async () => {
    const { readiness, shutdown } = await make([
      check('database', true, up),
      check('cache', false, down),
    ]);
    await readiness.evaluate();
    shutdown.begin();
    const result = await readiness.evaluate();
    expect(result).toEqual({
      ready: false,
      status: 'shutting_down',
      checks: { database: 'up', cache: 'down', api: 'shutting_down' },
      details: {},
    });
  });

  it('does not ping anything once shutting down', async () => {
    let pings = 0;
    const counted = (): Promise<void> => {
      pings++;
      return Promise.resolve();
    };
    const { readiness, shutdown } = await make([check('database', true, counted)]);
    shutdown.begin();
    const result = await readiness.evaluate();
    expect(pings).toBe(0);
    expect(result).toMatchObject({ ready: false, status: 'shutting_down' });
  });
});
