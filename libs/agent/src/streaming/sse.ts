/** Headers of every Server-Sent Events answer; `X-Accel-Buffering` stops nginx from buffering it. */
export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/** One SSE event. JSON never contains a raw line break, so `data` is always a single line. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

/** A comment line: ignored by SSE clients, but traffic for proxies that close idle connections. */
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';

const TICK = Symbol('tick');

/**
 * Yields the source's values, and `tick` whenever the source stays silent for `ms`. Pulls the
 * source only when asked (backpressure reaches the provider), and stops it when stopped.
 */
export async function* withKeepAlive<T>(
  source: AsyncIterable<T>,
  ms: number,
): AsyncGenerator<T | typeof TICK> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      pending = iterator.next();
      let result: IteratorResult<T> | typeof TICK;
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<typeof TICK>((resolve) => {
          timer = setTimeout(() => resolve(TICK), ms);
        });
        result = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
        if (result !== TICK) break;
        yield TICK;
      }
      pending = undefined;
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // Stopped while the source was still working (client gone): its outcome no longer matters.
    pending?.catch(() => undefined);
    if (!pending) await iterator.return?.(undefined);
    else void Promise.resolve(iterator.return?.(undefined)).catch(() => undefined);
  }
}

export const KEEP_ALIVE_TICK = TICK;
