import { HttpException } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '@app/platform';
import { isAbort } from '../providers/provider-error.js';
import { KEEP_ALIVE_TICK, SSE_KEEP_ALIVE, withKeepAlive } from './sse.js';

export interface SseBodyOptions<T> {
  /** Renders one source item as SSE text (one or more events), or '' for nothing. */
  frame(item: T): string;
  /** Renders a failure after the stream started. */
  fail(error: unknown): string;
  /** Sent after the last item (e.g. `data: [DONE]`). */
  end?: string;
}

/**
 * Turns a stream of events into the body of an SSE response, for controllers to return (Nest
 * sends an async iterable as it is produced, and stops it when the client goes away). A failure
 * before anything was sent is thrown, so the client gets a real HTTP error status; after that it
 * becomes an error event and the stream ends without the normal end marker.
 */
export class SseStreams {
  private readonly active: Gauge;
  private readonly stalls: Counter;

  constructor(
    registry: MetricsRegistry,
    private readonly keepAliveMs: number,
    private readonly logger: PinoLogger,
    /** How long a client may leave an event unread before its stream is stopped. */
    private readonly stallTimeoutMs = 30_000,
  ) {
    this.active = new Gauge({
      name: 'sse_streams_active',
      help: 'Server-Sent Events responses currently open.',
      registers: [registry],
    });
    this.stalls = new Counter({
      name: 'sse_streams_stalled_total',
      help: 'Streams stopped because the client read nothing for STREAM_STALL_TIMEOUT_MS.',
      registers: [registry],
    });
  }

  async *body<T>(source: AsyncIterable<T>, options: SseBodyOptions<T>): AsyncGenerator<string> {
    let sent = false;
    let stalled = false;
    const items = withKeepAlive(source, this.keepAliveMs);
    this.active.inc();
    try {
      for await (const item of items) {
        // An item may render as nothing (e.g. one that only sets a header before the first byte).
        const text = item === KEEP_ALIVE_TICK ? SSE_KEEP_ALIVE : options.frame(item as T);
        if (!text) continue;
        sent = true;
        // Suspended here until the response wants more, i.e. until the client has read what
        // is buffered. A client that reads nothing for too long loses its stream: the source
        // (and the upstream call behind it) is stopped now, not when the client returns.
        const stall = setTimeout(() => {
          stalled = true;
          this.stalls.inc();
          void items.return(undefined).catch(() => undefined);
        }, this.stallTimeoutMs);
        try {
          yield text;
        } finally {
          clearTimeout(stall);
        }
        if (stalled) return;
      }
      if (options.end) yield options.end;
    } catch (error) {
      if (!sent) throw error;
      // A client that went away reads nothing more.
      if (isAbort(error)) return;
      if (!(error instanceof HttpException)) this.logger.error({ err: error }, 'stream failed');
      yield options.fail(error);
    } finally {
      this.active.dec();
    }
  }
}
