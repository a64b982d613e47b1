import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { rawExchange, statuses } from './support/raw-http.js';
import { freePort, ServiceProcess } from './support/service-process.js';

/** The built service as Kubernetes runs it: configuration, logs and signals. */
describe('service process', () => {
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('refuses an invalid environment with exit code 1 and one message naming every bad variable', async () => {
    service = await ServiceProcess.start({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://user:hunter2@db/app',
    });
    expect(await service.exited).toBe(1);
    const message = service.stderr.join('\n');
    expect(service.stderr).toHaveLength(1);
    expect(message).toMatch(/^Invalid configuration: /);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
  });

  it('with its port taken, logs the failure and no start: exit 1, nothing claims it started', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      service = await ServiceProcess.start({ LOG_LEVEL: 'info' }, port);
      expect(await service.exited).toBe(1);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(service.stderr).toEqual([expect.stringMatching(/^Start-up failed: listen EADDRINUSE/)]);
    const messages = service.logs().map((l) => String(l.msg));
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.filter((m) => /successfully started|listening on/i.test(m))).toEqual([]);
  });

  it('with its liveness port taken, exits 1 naming that port and never opens the main one', async () => {
    const port = await freePort();
    const livenessPort = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(livenessPort, '127.0.0.1', resolve));
    try {
      service = await ServiceProcess.start(
        { LOG_LEVEL: 'info', LIVENESS_PORT: String(livenessPort) },
        port,
      );
      expect(await service.exited).toBe(1);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(service.stderr).toEqual([
      expect.stringMatching(
        new RegExp(`^Start-up failed: liveness port ${livenessPort}: EADDRINUSE`),
      ),
    ]);
    const messages = service.logs().map((l) => String(l.msg));
    expect(messages.filter((m) => /successfully started|listening on/i.test(m))).toEqual([]);
  });

  it('answers on its liveness port by the time the main port is open', async () => {
    const livenessPort = await freePort();
    service = await ServiceProcess.start({
      LOG_LEVEL: 'info',
      LIVENESS_PORT: String(livenessPort),
    });
    await service.waitUntilLive();
    const live = await rawExchange(livenessPort, [
      'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    ]);
    expect(statuses(live)).toEqual([200]);
    expect(live.text).toContain('"status":"healthy"');
    await service.waitForLog('listening on');
    const messages = service.logs().map((l) => String(l.msg));
    const liveAt = messages.findIndex((m) => m.startsWith('liveness probe on'));
    expect(liveAt).toBeGreaterThanOrEqual(0);
    expect(liveAt).toBeLessThan(messages.findIndex((m) => m.startsWith('listening on')));
  });

  it('says it is listening only once it is, and nothing else claims a start', async () => {
    service = await ServiceProcess.start({ LOG_LEVEL: 'info' });
    await service.waitUntilLive();
    await service.waitForLog('listening on');
    const messages = service.logs().map((l) => String(l.msg));
    expect(messages.filter((m) => /successfully started|listening on/i.test(m))).toEqual([
      expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+ /),
    ]);
  });

  it('logs one JSON line per request and never a prompt, a body, a secret header or a query string', async () => {
    const canary = `canary-${Math.random().toString(36).slice(2)}`;
    service = await ServiceProcess.start({ LOG_LEVEL: 'trace' });
    await service.waitUntilLive();
    const post = (body: string, headers: Record<string, string> = {}) =>
      service!.query(body, headers, `/query?api_key=${canary}`);
    const ok = await post(JSON.stringify({ prompt: `tell me about ${canary}` }), {
      authorization: `Bearer ${canary}`,
      'x-api-key': canary,
      cookie: `session=${canary}`,
      'x-request-id': 'req-log-test-1',
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(canary); // the client does get its answer
    expect((await post(`{"prompt": "${canary}`)).status).toBe(400);
    expect((await post(JSON.stringify({ prompt: canary, max_tokens: 1 }))).status).toBe(400);
    expect((await post(JSON.stringify({ prompt: canary, [canary]: 1 }))).status).toBe(400);
    await service.logsSettled();

    const all = [...service.stdout, ...service.stderr].join('\n');
    expect(all).not.toContain(canary);

    const requestLine = service.logs().find((l) => l.requestId === 'req-log-test-1');
    expect(requestLine).toMatchObject({
      level: 30,
      msg: 'request completed',
      route: '/query',
      req: { method: 'POST', path: '/query' },
      res: { status: 200 },
      durationMs: expect.any(Number),
    });
    const completed = service
      .logs()
      .filter(
        (l) => l.msg === 'request completed' && (l.req as { path?: string }).path === '/query',
      );
    expect(completed).toHaveLength(4);
  });

  it('never logs a canary sent in a refused body, header or query string, on any error path', async () => {
    const canary = `canary-${Math.random().toString(36).slice(2)}`;
    service = await ServiceProcess.start({ LOG_LEVEL: 'trace', BODY_LIMIT: '8kb' });
    await service.waitUntilLive();
    const url = (path: string) => `${service!.url}${path}?token=${canary}`;
    const secretHeaders = { authorization: `Bearer ${canary}`, 'x-api-key': canary };
    const json = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
      fetch(url('/query'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...secretHeaders, ...headers },
        body,
      });
    const refused: [string, Response, number][] = [
      [
        'deep JSON',
        await json(`{"prompt":"${canary}","x":${'['.repeat(40)}"${canary}"${']'.repeat(40)}}`),
        400,
      ],
      ['__proto__ key', await json(`{"prompt":"${canary}","__proto__":{"${canary}":1}}`), 400],
      ['constructor key', await json(`{"prompt":"x","constructor":"${canary}"}`), 400],
      ['corrupt gzip', await json(canary, { 'content-encoding': 'gzip' }), 400],
      ['unknown encoding', await json(canary, { 'content-encoding': canary }), 415],
      [
        'gzip over the limit',
        await json(new Uint8Array(gzipSync(`{"prompt":"${canary.repeat(9_000)}"}`)), {
          'content-encoding': 'gzip',
        }),
        413,
      ],
      ['invisible prompt', await json(JSON.stringify({ prompt: '\u200b\u2060' })), 400],
      [
        'wrong media type',
        await fetch(url('/query'), {
          method: 'POST',
          headers: { 'content-type': `text/${canary}`, ...secretHeaders },
          body: canary,
        }),
        415,
      ],
      [
        'wrong method',
        await fetch(url('/health'), {
          method: 'POST',
          headers: { 'content-type': 'text/plain', ...secretHeaders },
          body: canary,
        }),
        405,
      ],
      [
        'unknown route',
        await fetch(url('/nonexistent'), { method: 'POST', headers: secretHeaders, body: canary }),
        404,
      ],
    ];
    for (const [name, res, status] of refused) {
      expect([name, res.status]).toEqual([name, status]);
      expect([name, await res.text()]).not.toEqual([name, expect.stringContaining(canary)]);
    }
    const declared = await rawExchange(service.port, [
      `POST /query?token=${canary} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
        `X-Api-Key: ${canary}\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n`,
      `{"prompt":"${canary}`,
    ]);
    expect(statuses(declared)).toEqual([413]);
    await service.logsSettled();

    const all = [...service.stdout, ...service.stderr].join('\n');
    expect(all).not.toContain(canary);
    const lines = service
      .logs()
      .filter((l) => l.msg === 'request failed' || l.msg === 'request completed');
    expect(lines.length).toBeGreaterThanOrEqual(refused.length + 1);
  });

  it('logs probes at debug, not info, and honours LOG_LEVEL', async () => {
    service = await ServiceProcess.start({ LOG_LEVEL: 'info' });
    await service.waitUntilLive();
    for (const path of ['/health', '/ready', '/metrics'])
      await (await fetch(`${service.url}${path}`)).text();
    await (await service.query({ prompt: 'x' })).text();
    await service.logsSettled();
    const routes = service
      .logs()
      .filter((l) => l.msg === 'request completed')
      .map((l) => l.route);
    expect(routes).toEqual(['/query']);
    await service.stop();

    service = await ServiceProcess.start({ LOG_LEVEL: 'debug' });
    await service.waitUntilLive();
    await (await fetch(`${service.url}/ready`)).text();
    await service.logsSettled();
    const probeLine = service.logs().find((l) => l.route === '/ready');
    expect(probeLine).toMatchObject({ level: 20, res: { status: 200 } });
  });

  it('on SIGTERM turns readiness 503 at once, finishes every in-flight request and exits 0', async () => {
    service = await ServiceProcess.start({
      BUILTIN_LATENCY_MS: '600',
      SHUTDOWN_DRAIN_DELAY_MS: '300',
      SHUTDOWN_GRACE_MS: '5000',
    });
    await service.waitUntilLive();
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      service!
        .query({ prompt: `request ${i}` })
        .then(async (r) => ({ status: r.status, body: (await r.json()) as { response: string } })),
    );
    await sleep(150);
    const signalledAt = Date.now();
    service.proc.kill('SIGTERM');
    await service.waitForLog('received SIGTERM');

    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      status: 'shutting_down',
      checks: { api: 'shutting_down' },
    });
    expect((await fetch(`${service.url}/health`)).status).toBe(200); // liveness is unaffected

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    results.forEach((r, i) => expect(r.body.response).toBe(`Processed: request ${i}`));
    expect(await service.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(service.logs().map((l) => l.msg)).toContain('shutdown complete');
  });

  it('forces exit 1 when in-flight work outlives the grace period', async () => {
    service = await ServiceProcess.start({ BUILTIN_LATENCY_MS: '10000', SHUTDOWN_GRACE_MS: '500' });
    await service.waitUntilLive();
    const pending = service.query({ prompt: 'slow' }).catch(() => 'aborted');
    await sleep(100);
    const signalledAt = Date.now();
    service.proc.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(2000);
    await pending;
  });

  it('forces exit 1 on a second signal', async () => {
    service = await ServiceProcess.start({
      BUILTIN_LATENCY_MS: '10000',
      SHUTDOWN_GRACE_MS: '30000',
    });
    await service.waitUntilLive();
    const pending = service.query({ prompt: 'slow' }).catch(() => 'aborted');
    await sleep(100);
    service.proc.kill('SIGTERM');
    await sleep(200);
    service.proc.kill('SIGINT');
    expect(await service.exited).toBe(1);
    await pending;
  });
});
