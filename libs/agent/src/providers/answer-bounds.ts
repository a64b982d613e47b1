/**
 * Byte bounds on what an upstream may send for one answer. The upstream is not trusted to stop:
 * its body is counted as it arrives, and reading stops (the connection with it) at the first chunk
 * over a bound, before anything past it is kept or parsed.
 */
export interface AnswerBounds {
  /** Bytes of the whole response body (JSON answer, or all SSE events together). */
  totalBytes: number;
  /** Bytes of one SSE event (the parser buffers an event whole before handing it on). */
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
 * Counts a body's bytes as they arrive; throws {@link AnswerTooLargeError} at the first chunk
 * over a bound, before it is kept or parsed. For an SSE body it also measures each event: the
 * bytes since the last blank line (`\n\n` or `\r\n\r\n`).
 */
export class AnswerMeter {
  private total = 0;
  private event = 0;
  // Bytes in the current line, carriage returns aside: 0 at a line start.
  private line = 0;

  constructor(
    private readonly bounds: AnswerBounds,
    private readonly sse: boolean,
  ) {}

  take(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    if (this.total > this.bounds.totalBytes) throw new AnswerTooLargeError('body');
    if (this.sse) this.measureEvents(chunk);
  }

  private measureEvents(chunk: Uint8Array): void {
    const limit = this.bounds.eventBytes;
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      this.line += lf - start - (lf > start && chunk[lf - 1] === CR ? 1 : 0);
      this.event += lf - start + 1;
      if (this.event > limit) throw new AnswerTooLargeError('event');
      // A line break that ends an empty line ends the event.
      if (this.line === 0) this.event = 0;
      this.line = 0;
      start = lf + 1;
    }
    const rest = chunk.byteLength - start;
    this.line += rest;
    this.event += rest;
    if (this.event > limit) throw new AnswerTooLargeError('event');
  }
}
