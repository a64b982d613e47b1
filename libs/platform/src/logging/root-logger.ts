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
// Lines are held until this many bytes are waiting (or FLUSH_EVERY_MS has passed): one write(2)
// per ~10 lines under load instead of a thread-pool round trip per line, which cost more than
// building the line itself.
const MIN_WRITE_BYTES = 3 * 1024;
const FLUSH_EVERY_MS = 100;

/**
 * The application's one pino logger. JSON lines go to stdout (`fd`) asynchronously: a write never
 * blocks the event loop (a synchronous write into a full pipe stalls every request, and one
 * `write(2)` per line costs a system call each); lines are sent in batches of a few kilobytes,
 * at most FLUSH_EVERY_MS late, and whatever is buffered is flushed on exit.
 */
export function createRootLogger(env: Environment, fd = 1): Logger {
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
  const destination = pino.destination({
    dest: fd,
    sync: false,
    maxLength: MAX_BUFFERED_BYTES,
    maxWrite: MAX_WRITE_BYTES,
    minLength: MIN_WRITE_BYTES,
  });
  flushWhenPending(destination, FLUSH_EVERY_MS);
  return pino(options, destination);
}

// Untyped state of sonic-boom: `destroyed` is set the moment it starts closing (flush() then
// throws), `_writing` while a write is in flight (which writes what follows it once done, when
// that is at least `minLength`), `_len` the bytes buffered.
type Destination = ReturnType<typeof pino.destination> & {
  destroyed?: boolean;
  _writing?: boolean;
  _len?: number;
};

/**
 * Flushes what is buffered every `everyMs`, and only then. sonic-boom's own `periodicFlush`
 * writes even when nothing is buffered: an empty write through the thread pool ten times a
 * second on an idle service.
 */
function flushWhenPending(destination: Destination, everyMs: number): void {
  const timer = setInterval(() => {
    if (destination.destroyed || destination._writing || !destination._len) return;
    destination.flush();
  }, everyMs);
  timer.unref();
  destination.once('close', () => clearInterval(timer));
}
