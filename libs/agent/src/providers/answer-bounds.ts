/**
 * Byte bounds on what an upstream may send for one answer. The upstream is not trusted to stop:
 * its body is counted as it arrives, and reading stops (the connection with it) at the first byte
 * over a bound, before the SDK has buffered, parsed or decoded anything past it.
 */
export interface AnswerBounds {
  /** Bytes of the whole response body (JSON answer, or all SSE events together). */
  totalBytes: number;
  /** Bytes of one SSE event (the SDK buffers an event whole before parsing it). */
  eventBytes: number;
}

/** Operator settings the bounds derive from. */
export interface AnswerBoundSettings {
  /** Ceiling of {@link AnswerBounds.totalBytes}, whatever `max_tokens` asks for. */
  maxAnswerBytes: number;
  maxEventBytes: number;
}

/** Room for the envelope of an answer: ids, usage, the JSON or SSE framing around the text. */
export const ANSWER_BASE_BYTES = 64 * 1024;
/**
 * Bytes on the wire one generated token may take: a streamed token travels in an SSE event of
 * ~250 to 400 bytes, and a JSON-escaped token in a non-ASCII script is rarely over 40. A margin
 * of about three over the largest case.
 */
export const ANSWER_BYTES_PER_TOKEN = 1024;

/** The bounds of an answer of at most `maxTokens` tokens. */
export function answerBounds(maxTokens: number, settings: AnswerBoundSettings): AnswerBounds {
  const derived = ANSWER_BASE_BYTES + maxTokens * ANSWER_BYTES_PER_TOKEN;
  const totalBytes = Math.min(settings.maxAnswerBytes, derived);
  return { totalBytes, eventBytes: Math.min(settings.maxEventBytes, totalBytes) };
}

/** Raised while reading an upstream body that went past its bounds. */
export class AnswerTooLargeError extends Error {
  override readonly name = 'AnswerTooLargeError';
  constructor(readonly bound: 'body' | 'event') {
    super(`LLM provider answer exceeded its ${bound} byte bound`);
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts a body's bytes as they pass; errors at the first byte over a bound. For an SSE body it
 * also measures each event: the bytes since the last blank line (`\n\n` or `\r\n\r\n`).
 */
export function boundingStream(
  bounds: AnswerBounds,
  sse: boolean,
): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  let event = 0;
  // Bytes in the current line, carriage returns aside: 0 at a line start.
  let line = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > bounds.totalBytes) {
        controller.error(new AnswerTooLargeError('body'));
        return;
      }
      if (sse) {
        let start = 0;
        for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
          const content = lf - start - (lf > start && chunk[lf - 1] === CR ? 1 : 0);
          line += content;
          event += lf - start + 1;
          if (event > bounds.eventBytes) break;
          // A line break that ends an empty line ends the event.
          if (line === 0) event = 0;
          line = 0;
          start = lf + 1;
        }
        if (event <= bounds.eventBytes) {
          const rest = chunk.byteLength - start;
          line += rest;
          event += rest;
        }
        if (event > bounds.eventBytes) {
          controller.error(new AnswerTooLargeError('event'));
          return;
        }
      }
      controller.enqueue(chunk);
    },
  });
}

/** The request option that carries an answer's bounds to {@link boundedFetch}. */
export const ANSWER_BOUNDS = Symbol('answerBounds');

/**
 * A `fetch` for the OpenAI SDK that bounds each response body by the {@link AnswerBounds} the
 * request carries under {@link ANSWER_BOUNDS} (the SDK hands its per-request `fetchOptions` to
 * fetch as they are). A body whose declared length is over the bound is not read at all.
 */
export function boundedFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const bounds = (init as { [ANSWER_BOUNDS]?: AnswerBounds } | undefined)?.[ANSWER_BOUNDS];
    const response = await base(input, init);
    if (!bounds || !response.body || !response.ok) return response;
    const sse = /^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '');
    const declared = Number(response.headers.get('content-length') ?? NaN);
    // A plain body of a declared length within the bound needs no counting: the HTTP client
    // reads no more than it declares. A compressed one does (its length is before inflation).
    const encoding = response.headers.get('content-encoding') ?? 'identity';
    if (!sse && declared <= bounds.totalBytes && /^identity$/i.test(encoding)) return response;
    let body: ReadableStream<Uint8Array>;
    if (declared > bounds.totalBytes) {
      await response.body.cancel();
      body = new ReadableStream({
        start: (controller) => controller.error(new AnswerTooLargeError('body')),
      });
    } else {
      body = response.body.pipeThrough(boundingStream(bounds, sse));
    }
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
