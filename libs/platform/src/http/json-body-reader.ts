import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import getRawBody from 'raw-body';
import typeIs from 'type-is';
import { exceedsJsonDepth } from './json-depth.js';
import { ProblemException, validationProblem } from './problem.js';

export const JSON_TYPES = ['application/json', 'application/*+json'];
/** Deeper than any real request; shallow enough that no recursive consumer can overflow. */
export const MAX_JSON_DEPTH = 32;
// Keys that name the prototype machinery: never a field, and silently dropped by transformers.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const problem = (status: HttpStatus, detail: string) => new ProblemException(status, detail);
const TOO_LARGE = () =>
  problem(HttpStatus.PAYLOAD_TOO_LARGE, 'Request body is larger than the configured limit');

/** The declared body length, when there is one and it can be read. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * Checks what the headers alone decide: the media type (415) and a declared length over the
 * limit (413). Run before anything is read, and before `100 Continue` is sent.
 */
export function checkBodyHeaders(req: IncomingMessage, limit: number): void {
  if (!typeIs.hasBody(req) || declaredLength(req) === 0) return;
  // The header almost every client sends needs no parsing.
  if (req.headers['content-type'] !== 'application/json') {
    if (!typeIs(req, JSON_TYPES)) {
      throw problem(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'Request body must be sent as application/json',
      );
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      throw problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Request body charset is not supported');
    }
  }
  if ((declaredLength(req) ?? 0) > limit) throw TOO_LARGE();
}

/**
 * Reads, decompresses and parses a JSON body, at most `limit` bytes after decompression: the
 * read stops as soon as the limit is crossed (the caller closes the connection), so a chunked
 * or compressed body costs no more than the limit. Errors are problem details that quote
 * nothing of the body or of the decompressor. Resolves to undefined for an empty body.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  { headersChecked = false } = {},
): Promise<unknown> {
  if (!headersChecked) checkBodyHeaders(req, limit);
  if (!typeIs.hasBody(req) || declaredLength(req) === 0) return undefined;
  const decoder = decoderFor(req);
  let raw: Buffer;
  try {
    raw = decoder
      ? await getRawBody(req.pipe(decoder), { limit })
      : await getRawBody(req, { limit, length: declaredLength(req) });
  } catch (error) {
    throw readProblem(error, decoder !== undefined);
  } finally {
    if (decoder) {
      req.unpipe(decoder);
      decoder.destroy();
    }
  }
  if (raw.length === 0) return undefined;
  if (exceedsJsonDepth(raw, MAX_JSON_DEPTH)) {
    throw problem(
      HttpStatus.BAD_REQUEST,
      `Request body is nested more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw problem(HttpStatus.BAD_REQUEST, 'Request body is not valid JSON');
  }
  rejectForbiddenKeys(body, '');
  return body;
}

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The decompressor the Content-Encoding asks for; undefined for none. */
function decoderFor(req: IncomingMessage): Transform | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return undefined;
  const create = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
  if (create === undefined) {
    throw problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Request body encoding is not supported');
  }
  const decoder = create();
  // A client that goes away mid-body ends the read instead of leaving it waiting.
  req.once('close', () => {
    if (!req.complete) decoder.destroy(new Error('request closed before its end'));
  });
  return decoder;
}

function readProblem(error: unknown, compressed: boolean): ProblemException {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return TOO_LARGE();
  if (type === 'request.aborted')
    return problem(HttpStatus.BAD_REQUEST, 'Request was aborted by the client');
  if (type === 'request.size.invalid') {
    return problem(HttpStatus.BAD_REQUEST, 'Request body size does not match its Content-Length');
  }
  // zlib's messages describe the client's bytes: a fixed message instead.
  if (compressed) return problem(HttpStatus.BAD_REQUEST, 'Request body could not be decompressed');
  return problem(HttpStatus.BAD_REQUEST, 'Request body could not be read');
}

/** `__proto__`, `constructor` and `prototype` keys are unknown fields, at any depth. */
function rejectForbiddenKeys(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const field = Array.isArray(value) ? `${path}[${key}]` : `${path}${path ? '.' : ''}${key}`;
    if (!Array.isArray(value) && FORBIDDEN_KEYS.has(key)) {
      throw validationProblem([{ field, message: `property ${key} should not exist` }]);
    }
    rejectForbiddenKeys(child, field);
  }
}
