import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';

export interface ListenOptions {
  port: number;
  host: string;
  /** Listening sockets sharing the port; 1 is a plain listen. */
  acceptors: number;
}

/**
 * Listens with several sockets on one port (SO_REUSEPORT), each handing its connections to
 * the same HTTP server. libuv (Node ≥ 18.14) accepts one connection per listening socket per
 * event-loop pass, so on a busy server a burst of new connections (a client pool opening, every
 * client reconnecting after a rolling update, a kubelet probe behind them) is admitted one pass
 * at a time: the 64th connection of a burst waited ~700 ms before its first request was read.
 * With N sockets the kernel spreads the burst and N are admitted per pass.
 *
 * Returns the number of listening sockets in use: 1 where the runtime cannot share a port
 * (Node < 22.12). A port another process holds still fails with EADDRINUSE: the port is bound
 * once without sharing first, so a second copy of the service never silently joins the group.
 */
export async function listen(server: HttpServer, options: ListenOptions): Promise<number> {
  const { host } = options;
  const acceptors = supportsReusePort() ? options.acceptors : 1;
  if (acceptors <= 1) {
    await bind(server, { port: options.port, host });
    return 1;
  }
  if (options.port !== 0) await ensurePortIsFree(options.port, host);
  await bind(server, { port: options.port, host, reusePort: true });
  const port = (server.address() as { port: number }).port;
  const extra: NetServer[] = [];
  for (let i = 1; i < acceptors; i++) {
    const acceptor = createServer({ noDelay: true }, (socket) => server.emit('connection', socket));
    await bind(acceptor, { port, host, reusePort: true });
    extra.push(acceptor);
  }
  // Every caller of close() (graceful shutdown, Nest's app.close()) stops all of them at once,
  // and hears back once every connection is gone: each socket counts against the listening
  // socket that accepted it, not against the HTTP server it was handed to.
  const closeMain = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    let pending = extra.length + 1;
    let mainError: Error | undefined;
    const settled = (error?: Error, main = false): void => {
      if (main) mainError = error;
      if (--pending === 0) callback?.(mainError);
    };
    // An acceptor closed by an earlier call has nothing left to wait for.
    for (const acceptor of extra) acceptor.close(() => settled());
    return closeMain((error) => settled(error, true));
  };
  return acceptors;
}

/** SO_REUSEPORT through `listen({ reusePort })` arrived in Node 22.12 and 23.1. */
export function supportsReusePort(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

function bind(
  server: NetServer | HttpServer,
  options: { port: number; host: string; reusePort?: boolean },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => reject(error);
    server.once('error', fail);
    server.listen(options, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

async function ensurePortIsFree(port: number, host: string): Promise<void> {
  const probe = createServer();
  await bind(probe, { port, host });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
