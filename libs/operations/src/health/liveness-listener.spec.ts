import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { startLivenessListener } from './liveness-listener.js';

const options = { host: '127.0.0.1', version: '9.9.9', maxStallMs: 300 };

interface Answer {
  status: number;
  type: string | undefined;
  allow: string | undefined;
  body: string;
}

/** One request on a new connection (node:http: the listener is not the API that e2e checks). */
function call(port: number, method = 'GET', path = '/health'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'],
          allow: res.headers.allow,
          body,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * GET /health from another process while this thread is blocked: the main event loop cannot
 * turn, and only the listener's own thread can answer.
 */
function callWhileBlocked(port: number, blockMs: number): { status: number; body: string } {
  const end = Date.now() + blockMs;
  while (Date.now() < end); // a stuck main loop
  const client = spawnSync(
    process.execPath,
    [
      '-e',
      `fetch('http://127.0.0.1:${port}/health').then(async (r) => console.log(r.status, await r.text()))`,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  const [status, ...body] = client.stdout.trim().split(' ');
  return { status: Number(status), body: body.join(' ') };
}

describe('liveness listener', () => {
  it('answers GET /health from its own thread, 200 while the main loop turns', async () => {
    const listener = await startLivenessListener({ ...options, port: 0 });
    try {
      expect(listener.port).toBeGreaterThan(0);
      expect(await call(listener.port)).toMatchObject({
        status: 200,
        type: 'application/json; charset=utf-8',
        body: '{"status":"healthy","version":"9.9.9"}',
      });
      expect((await call(listener.port, 'HEAD')).status).toBe(200);
    } finally {
      await listener.close();
    }
  });

  it('answers 503 once the main loop has been stuck for longer than the limit', async () => {
    const listener = await startLivenessListener({ ...options, port: 0 });
    try {
      expect(callWhileBlocked(listener.port, 600)).toEqual({
        status: 503,
        body: '{"status":"unresponsive","version":"9.9.9"}',
      });
      // The loop turns again: healthy after the next heartbeat.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await call(listener.port)).status).toBe(200);
    } finally {
      await listener.close();
    }
  });

  it('serves nothing else: 404 for other paths, 405 with Allow for other methods', async () => {
    const listener = await startLivenessListener({ ...options, port: 0 });
    try {
      expect(await call(listener.port, 'GET', '/query')).toMatchObject({
        status: 404,
        type: 'application/problem+json',
      });
      expect(await call(listener.port, 'POST')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    } finally {
      await listener.close();
    }
  });

  it('fails to start on a port in use, and stops listening when closed', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => holder.once('listening', resolve));
    const { port } = holder.address() as { port: number };
    await expect(startLivenessListener({ ...options, port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: `liveness port ${port}: EADDRINUSE`,
    });
    holder.close();

    const listener = await startLivenessListener({ ...options, port: 0 });
    await listener.close();
    await expect(call(listener.port)).rejects.toThrow();
  });
});
