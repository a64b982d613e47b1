import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long, in all, a closing connection keeps reading what the client still sends. */
export const LINGER_MS = 5_000;
/** How long it waits for the client's next bytes before closing. */
export const LINGER_IDLE_MS = 1_000;
/** How much it reads (and throws away) at most. */
export const LINGER_MAX_BYTES = 16 * 1024 ** 2;

/**
 * Closes the connection after this response without resetting it under a client that is still
 * sending the body it refused. Closing at once with unread bytes makes the kernel send a reset,
 * and a client that writes its whole body before reading (Python's urllib, curl with small
 * bodies) then sees "broken pipe" instead of the answer. So, as nginx's lingering close does:
 * the answer goes out, the write side is shut (FIN), and what still arrives is read and
 * dropped, for at most LINGER_MS, LINGER_IDLE_MS between reads and LINGER_MAX_BYTES, before
 * the socket is destroyed.
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // Node's server calls destroySoon() once a `Connection: close` response is finished.
  socket.destroySoon = () => linger(socket);
}

/** How often a lingering socket's progress is checked. */
const LINGER_CHECK_MS = 100;

function linger(socket: Socket): void {
  if (socket.destroyed) return;
  // The HTTP parser reads the socket itself (no 'data' events): its byte count tells progress.
  const started = Date.now();
  const startBytes = socket.bytesRead;
  let lastBytes = startBytes;
  let lastProgress = started;
  const check = setInterval(() => {
    const now = Date.now();
    if (socket.bytesRead !== lastBytes) {
      lastBytes = socket.bytesRead;
      lastProgress = now;
    }
    if (
      now - started >= LINGER_MS ||
      now - lastProgress >= LINGER_IDLE_MS ||
      lastBytes - startBytes > LINGER_MAX_BYTES
    ) {
      stop();
    }
  }, LINGER_CHECK_MS);
  const stop = () => {
    clearInterval(check);
    socket.destroy();
  };
  socket.once('end', stop);
  socket.once('close', stop);
  if (socket.writable) socket.end();
  socket.resume();
}
