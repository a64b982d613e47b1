import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher, Pool } from 'undici';
import { AnswerMeter, AnswerTooLargeError, type AnswerBounds } from './answer-bounds.js';
import { isAbort, ProviderError } from './provider-error.js';
import { MAX_BACKOFF_MS } from './retrying-provider.js';

/**
 * The HTTP side of an OpenAI-compatible upstream: one keep-alive connection pool per provider,
 * `POST {baseUrl}/chat/completions`, and the answer read within its byte bounds. undici's
 * `request` costs a tenth of the CPU of `fetch` (no WHATWG Request, Response, Headers or web
 * streams per call), which is most of what a proxied request costs.
 *
 * Every failure is a {@link ProviderError}, except aborts, which stay aborts; the upstream's body
 * is never kept or quoted.
 */
export class UpstreamClient {
  /** Made on the first call: undici (a megabyte of code) loads only where an upstream is used. */
  private pool: Pool | undefined;
  private loading: Promise<Pool> | undefined;
  private readonly origin: string;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, apiKey: string | undefined) {
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}/chat/completions`);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.headers = {
      'content-type': 'application/json',
      'user-agent': 'ai-agent-service',
      // Servers that need no key ignore the header.
      authorization: `Bearer ${apiKey ?? 'none'}`,
    };
  }

  /** A chat completion answered as one JSON body. */
  async json(body: object, signal: AbortSignal, bounds: AnswerBounds): Promise<unknown> {
    const source = await this.post(body, signal, bounds, 'application/json');
    const meter = new AnswerMeter(bounds, false);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        meter.take(chunk);
        chunks.push(chunk);
      }
    } catch (error) {
      throw bodyError(error, 'invalid_response', signal);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw invalid('invalid_response');
    }
  }

  /**
   * A streamed chat completion: resolves once the headers arrived, then yields each event's
   * parsed `data` until `[DONE]`. An `error` event, or a chunk carrying `error`, ends it with an
   * `interrupted` failure.
   */
  async events(
    body: object,
    signal: AbortSignal,
    bounds: AnswerBounds,
  ): Promise<AsyncGenerator<Record<string, unknown>>> {
    const source = await this.post(body, signal, bounds, 'text/event-stream');
    return sseData(source, new AnswerMeter(bounds, true), signal);
  }

  private loadPool(): Promise<Pool> {
    // Idle connections are unreferenced: the pool never holds the process open at shutdown.
    this.loading ??= import('undici').then(({ Pool }) => (this.pool = new Pool(this.origin)));
    return this.loading;
  }

  /** Sends the request; resolves with the decoded body of a 2xx answer. */
  private async post(
    body: object,
    signal: AbortSignal,
    bounds: AnswerBounds,
    accept: string,
  ): Promise<Readable> {
    let answer: Dispatcher.ResponseData;
    try {
      const pool = this.pool ?? (await this.loadPool());
      answer = await pool.request({
        path: this.path,
        method: 'POST',
        headers: { ...this.headers, accept },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      throw new ProviderError('unavailable', 'LLM provider is unreachable');
    }
    const { statusCode, headers, body: raw } = answer;
    if (statusCode < 200 || statusCode >= 300) {
      // Read (a little of) the error body, so that the connection can be reused; never kept.
      raw.dump({ limit: 16 * 1024 }).catch(() => undefined);
      throw statusError(statusCode, headers);
    }
    const declared = Number(header(headers, 'content-length') ?? NaN);
    if (declared > bounds.totalBytes) {
      discard(raw);
      throw tooLarge();
    }
    const decoded = decode(raw, header(headers, 'content-encoding'));
    if (!decoded) {
      discard(raw);
      throw invalid('invalid_response');
    }
    return decoded;
  }
}

/** Closes a body left unread (its connection with it). */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** The parsed `data` of each SSE event, within the meter's bounds, until `[DONE]`. */
async function* sseData(
  source: Readable,
  meter: AnswerMeter,
  signal: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  const text = new StringDecoder('utf8');
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  let done = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      meter.take(chunk);
      if (done) continue; // what follows [DONE] is read (the connection is reused), not parsed
      parser.feed(text.write(chunk));
      for (let i = 0; i < events.length && !done; i++) {
        const event = events[i];
        if (event.data === '[DONE]') {
          done = true;
          break;
        }
        yield chunkOf(event);
      }
      events.length = 0;
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw bodyError(error, 'interrupted', signal);
  }
}

/** One event's data as a chunk object; an upstream-reported error ends the stream. */
function chunkOf(event: EventSourceMessage): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw invalid('interrupted');
  }
  if (event.event === 'error' || typeof data !== 'object' || data === null || 'error' in data) {
    throw new ProviderError('interrupted', 'LLM provider reported an error mid-stream');
  }
  return data as Record<string, unknown>;
}

/** The body as sent, or inflated when the server compressed it unasked; null for an unknown coding. */
function decode(body: Readable, encoding: string | undefined): Readable | null {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  const inflater =
    coding === 'gzip' || coding === 'x-gzip'
      ? createGunzip()
      : coding === 'deflate'
        ? createInflate()
        : coding === 'br'
          ? createBrotliDecompress()
          : null;
  // The inflated bytes are what the meter counts: a small bomb stops at the bound.
  return inflater && pipeline(body, inflater, () => undefined);
}

/** A failure while reading the body: its bound, the caller's abort, or a broken answer. */
function bodyError(
  error: unknown,
  otherwise: 'invalid_response' | 'interrupted',
  signal: AbortSignal,
): unknown {
  if (error instanceof AnswerTooLargeError) return tooLarge();
  if (isAbort(error, signal)) return error;
  return invalid(otherwise);
}

function statusError(status: number, headers: Dispatcher.ResponseData['headers']): ProviderError {
  const kind =
    status === 429
      ? 'rate_limited'
      : status >= 500 || RETRY_STATUSES.has(status)
        ? 'server_error'
        : 'rejected';
  return new ProviderError(
    kind,
    `LLM provider answered with status ${status}`,
    retryAfter(headers),
  );
}
const RETRY_STATUSES = new Set([408, 409, 425, 429]);

function retryAfter(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_BACKOFF_MS);
  const seconds = Number(header(headers, 'retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0
    ? Math.min(seconds * 1000, MAX_BACKOFF_MS)
    : undefined;
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tooLarge(): ProviderError {
  return new ProviderError('too_large', 'LLM provider answer is larger than its bound');
}

function invalid(kind: 'invalid_response' | 'interrupted'): ProviderError {
  return new ProviderError(kind, 'LLM provider sent an invalid answer');
}
