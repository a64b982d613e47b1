import { connect } from 'node:net';

export interface RawExchange {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
  /** Milliseconds from the first write to the first byte of the answer (-1: none). */
  firstByteMs: number;
}

/**
 * Sends raw HTTP/1.1 bytes to 127.0.0.1:`port` in steps, to say what a client library would
 * not: a Content-Length larger than the body, `Expect: 100-continue`, a body that never ends.
 * Waits at most `waitMs` for the server, then closes its side. Bounded in time by construction.
 */
export function rawExchange(
  port: number,
  steps: (string | Buffer)[],
  { waitMs = 2_000, stepDelayMs = 20 } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let firstByteMs = -1;
    const started = Date.now();
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, firstByteMs });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      if (firstByteMs === -1) firstByteMs = Date.now() - started;
      chunks.push(chunk);
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it has answered while the client still writes.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        closed = true;
        finish();
      } else reject(error);
    });
    socket.on('connect', () => {
      void (async () => {
        for (const step of steps) {
          if (socket.destroyed) return;
          socket.write(step);
          await new Promise((r) => setTimeout(r, stepDelayMs));
        }
      })();
    });
  });
}

/** Status codes of the responses in a raw exchange, in order (interim 100 included). */
export function statuses(exchange: RawExchange): number[] {
  return [...exchange.text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}
