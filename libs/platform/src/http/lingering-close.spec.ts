import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { closeAfterResponse, LINGER_IDLE_MS } from './lingering-close.js';

/** A server that refuses every body from its headers, as the 413 path does. */
describe('closeAfterResponse', () => {
  let server: Server;
  let client: Socket | undefined;
  /** When the server's side of the last connection closed (ms after the request arrived). */
  let serverClosedAfterMs: number | undefined;
  afterEach(async () => {
    client?.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const start = async () => {
    serverClosedAfterMs = undefined;
    server = createServer((req, res) => {
      const arrived = Date.now();
      req.socket.once('close', () => (serverClosedAfterMs = Date.now() - arrived));
      closeAfterResponse(req, res);
      res.statusCode = 413;
      res.end('too large');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  };

  /** A client that sends the headers of a 20 MiB body, then `body`, and reads only at the end. */
  const send = (port: number, body?: Buffer) =>
    new Promise<{ text: string; error?: string }>((resolve) => {
      // Half-open allowed: it does not stop on the server's FIN, as a client busy writing.
      client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let text = '';
      let error: string | undefined;
      client.setEncoding('latin1');
      client.on('data', (c: string) => (text += c));
      client.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
      client.on('close', () => resolve({ text, error }));
      client.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${20 * 1024 ** 2}\r\n\r\n`);
      if (body) client.end(body);
      else setTimeout(() => resolve({ text, error }), LINGER_IDLE_MS + 1_500);
    });

  it('lets a client that keeps writing read the answer instead of a reset', async () => {
    const port = await start();
    const outcome = await send(port, Buffer.alloc(12 * 1024 ** 2, 'a'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.text).toMatch(/^connection: close/im);
  });

  it('closes a connection whose client sends nothing more after the idle time', async () => {
    const port = await start();
    const outcome = await send(port);
    expect(outcome.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(serverClosedAfterMs).toBeGreaterThanOrEqual(LINGER_IDLE_MS - 150);
    expect(serverClosedAfterMs).toBeLessThan(LINGER_IDLE_MS + 1_000);
  });
});
