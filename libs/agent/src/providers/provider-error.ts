import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';

/**
 * Why a provider attempt failed. A bounded set: it labels metrics (`error_type`) and decides
 * whether the attempt is retried and whether the next provider of the chain is tried.
 */
export type ProviderFailureKind =
  | 'timeout'
  | 'unavailable'
  | 'rate_limited'
  | 'server_error'
  | 'rejected'
  | 'invalid_response'
  | 'too_large'
  | 'interrupted'
  | 'circuit_open';

const STATUS: Record<ProviderFailureKind, HttpStatus> = {
  timeout: HttpStatus.GATEWAY_TIMEOUT,
  unavailable: HttpStatus.BAD_GATEWAY,
  rate_limited: HttpStatus.BAD_GATEWAY,
  server_error: HttpStatus.BAD_GATEWAY,
  rejected: HttpStatus.BAD_GATEWAY,
  invalid_response: HttpStatus.BAD_GATEWAY,
  too_large: HttpStatus.BAD_GATEWAY,
  interrupted: HttpStatus.BAD_GATEWAY,
  circuit_open: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Failures worth another attempt at the same provider (a timed-out generation may still run). */
const RETRYABLE = new Set<ProviderFailureKind>(['unavailable', 'rate_limited', 'server_error']);
/**
 * Failures after which the next provider of the chain is tried (only ever before the first byte
 * reached the client); a request the provider rejected (4xx) would be rejected by the next too.
 */
const FALLBACK = new Set<ProviderFailureKind>([
  'timeout',
  'unavailable',
  'rate_limited',
  'server_error',
  'too_large',
  'interrupted',
  'circuit_open',
]);

/** A failed provider attempt, rendered as a problem document (never with the upstream body). */
export class ProviderError extends ProblemException {
  constructor(
    readonly kind: ProviderFailureKind,
    detail: string,
    /** Delay the provider asked for (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(STATUS[kind], detail);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  get fallsBack(): boolean {
    return FALLBACK.has(this.kind);
  }
}

/** Whether an error means the caller gave up (client gone), which is never a provider failure. */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || isAbortError(error);
}

/**
 * An abort error (fetch's, undici's, an aborted signal's reason). The reason is a DOMException,
 * which is not an `Error` of every realm (a test's VM context, say).
 */
export function isAbortError(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}
