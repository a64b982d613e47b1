import { describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { listen, supportsReusePort } from './listen.js';

function served(server: Server): Server {
  server.on('request', (_req, res) => res.end('ok'));
  return server;
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe('listen', () => {
  it('knows which runtimes share a port', () => {
    expect(supportsReusePort('20.20.2')).toBe(false);
    expect(supportsReusePort('22.11.0')).toBe(false);
    expect(supportsReusePort('22.12.0')).toBe(true);
    expect(supportsReusePort('23.0.0')).toBe(false);
    expect(supportsReusePort('23.1.0')).toBe(true);
    expect(supportsReusePort('24.22.3')).toBe(true);
    expect(supportsReusePort('30.0.0')).toBe(true);
  });

  it('listens with as many sockets as the runtime allows and serves a burst through all', async () => {
    const server = served(createServer());
    const acceptors = await listen(server, { port: 0, host: '127.0.0.1', acceptors: 4 });
    expect(acceptors).toBe(supportsReusePort() ? 4 : 1);
    const { port } = server.address() as AddressInfo;
    const answers = await Promise.all(Array.from({ length: 32 }, () => get(port)));
    expect(answers).toEqual(Array(32).fill('ok'));
    await close(server);
    // close() stopped every acceptor, not only the first socket.
    expect(await refused(port)).toBe(true);
  });

  it('close() reports back only once requests in flight on every socket have been answered', async () => {
    let finished = 0;
    // Connections the first socket accepted are answered at once, the others' later: close()
    // must wait for those too, though the HTTP server itself did not accept them.
    const server: Server = createServer((req, res) => {
      res.on('finish', () => finished++);
      // `_server`: node:net's record of the listening socket that accepted the connection.
      const own = (req.socket as unknown as { _server?: unknown })._server === server;
      setTimeout(() => res.end('late'), own ? 0 : 300);
    });
    await listen(server, { port: 0, host: '127.0.0.1', acceptors: 4 });
    const { port } = server.address() as AddressInfo;
    const answers = Array.from({ length: 16 }, () => get(port));
    await new Promise((resolve) => setTimeout(resolve, 100)); // all accepted, none answered
    const finishedAtClose = await new Promise<number>((resolve) =>
      server.close(() => resolve(finished)),
    );
    expect(finishedAtClose).toBe(16);
    expect(await Promise.all(answers)).toEqual(Array(16).fill('late'));
  });

  it('plain listen with one acceptor', async () => {
    const server = served(createServer());
    expect(await listen(server, { port: 0, host: '127.0.0.1', acceptors: 1 })).toBe(1);
    expect(await get((server.address() as AddressInfo).port)).toBe('ok');
    await close(server);
  });

  it('refuses a port another server holds, also when sharing sockets', async () => {
    const holder = served(createServer());
    await listen(holder, { port: 0, host: '127.0.0.1', acceptors: 1 });
    const { port } = holder.address() as AddressInfo;
    const second = served(createServer());
    await expect(listen(second, { port, host: '127.0.0.1', acceptors: 4 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(second.listening).toBe(false);
    await close(holder);
  });

  it('refuses to join a group another copy of the service formed', async () => {
    const first = served(createServer());
    await listen(first, { port: 0, host: '127.0.0.1', acceptors: 2 });
    const { port } = first.address() as AddressInfo;
    const second = served(createServer());
    await expect(listen(second, { port, host: '127.0.0.1', acceptors: 2 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await close(first);
  });
});
