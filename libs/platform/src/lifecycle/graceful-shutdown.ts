import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShutdownState } from './shutdown-state.js';

export interface GracefulShutdownOptions {
  graceMs: number;
  drainDelayMs: number;
  logger: LoggerService;
  exit?: (code: number) => void;
}

/**
 * Handles SIGTERM/SIGINT the way Kubernetes expects: readiness turns 503 at once, the server
 * keeps serving for the drain delay, then stops accepting connections and lets in-flight
 * requests finish before the app's shutdown hooks run. A second signal or the grace deadline
 * forces exit 1.
 */
export function installGracefulShutdown(
  app: INestApplication,
  options: GracefulShutdownOptions,
): void {
  const { graceMs, drainDelayMs, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const state = app.get(ShutdownState);
  const server = app.getHttpServer() as Server;

  // Responses sent while draining carry `Connection: close`, so keep-alive clients move on
  // and every socket ends cleanly after its last response (never reset mid-flight). In-flight
  // responses are tracked with one shared listener ('close' fires once per response, so `on`
  // without `once`'s per-call wrapper): this runs on every request, so it allocates nothing.
  const inFlight = new Set<ServerResponse>();
  function untrack(this: ServerResponse): void {
    inFlight.delete(this);
  }
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (state.isShuttingDown) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', untrack);
  });
  const closeAfterResponse = (): void => {
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.isShuttingDown) {
      logger.warn(`received ${signal} again, forcing exit`, 'Shutdown');
      exit(1);
      return;
    }
    state.begin();
    closeAfterResponse();
    logger.log(`received ${signal}, draining (grace ${graceMs} ms)`, 'Shutdown');
    setTimeout(() => {
      logger.error('grace period exceeded, forcing exit', 'Shutdown');
      exit(1);
    }, graceMs).unref();
    void shutDown(app, server, drainDelayMs).then(
      () => {
        logger.log('shutdown complete', 'Shutdown');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ msg: 'shutdown failed', err: error }, undefined, 'Shutdown');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function shutDown(
  app: INestApplication,
  server: Server,
  drainDelayMs: number,
): Promise<void> {
  if (drainDelayMs > 0) await sleep(drainDelayMs);
  await closeServer(server);
  // Module hooks (flushing buffers, closing pools) run only after the last request finished.
  await app.close();
}

/**
 * Stops accepting connections and resolves once every in-flight request has completed.
 * `close()` also drops idle keep-alive sockets; busy ones end after their response.
 */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}
