import pino, { type Logger } from 'pino';
import type { Environment } from '../config/environment.js';
import { errorSerializer } from './log-fields.js';
import { traceLogFields } from '../telemetry/trace-context.js';
import { tracingEnabled } from '../telemetry/telemetry-settings.js';

// A stalled reader of stdout must not grow the process without bound: past this many buffered
// bytes, log lines are dropped (sonic-boom's `maxLength`) instead.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
// Lines written while a write is in flight are appended to one string of at most this many
// bytes, whose UTF-8 length sonic-boom measures again on every line (flattening it each time):
// 4 KiB instead of its default 16 KiB makes that a quarter of the copying, for a write(2) per
// ~13 request lines instead of ~50.
const MAX_WRITE_BYTES = 4 * 1024;

/**
 * The application's one pino logger. JSON lines go to stdout asynchronously: a write never
 * blocks the event loop (a synchronous write into a full pipe stalls every request, and one
 * `write(2)` per line costs a system call each), lines written while one write is in flight are
 * sent together with the next, and whatever is buffered is flushed on exit.
 */
export function createRootLogger(env: Environment): Logger {
  const options = {
    level: env.LOG_LEVEL,
    base: { service: 'ai-agent-service', version: env.APP_VERSION },
    serializers: { err: errorSerializer },
    // Traced: every line written while serving a request carries its trace and span ids.
    ...(tracingEnabled(env) ? { mixin: traceLogFields } : {}),
  };
  if (env.LOG_FORMAT === 'pretty') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { singleLine: true } },
    });
  }
  return pino(
    options,
    pino.destination({
      dest: 1,
      sync: false,
      maxLength: MAX_BUFFERED_BYTES,
      maxWrite: MAX_WRITE_BYTES,
    }),
  );
}
