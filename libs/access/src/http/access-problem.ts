import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';
import type { PolicyName } from '../limits/rate-limit-headers.js';

/** Problem types of the IETF HTTPAPI rate-limit draft (registered in IANA's problem types). */
export const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
export const TEMPORARY_REDUCED_CAPACITY =
  'https://iana.org/assignments/http-problem-types#temporary-reduced-capacity';

/**
 * A refusal by the access layer. A problem like any other, so whichever filter renders the
 * route's errors renders it too: problem details on `/query`, OpenAI's shape on `/v1`.
 */
export class AccessProblem extends ProblemException {
  constructor(
    status: HttpStatus,
    detail: string,
    type = 'about:blank',
    extensions: Record<string, unknown> = {},
  ) {
    super(status, detail, undefined, type, extensions);
  }
}

/** Same answer for a missing and an unknown key: no hint which part was wrong. */
export function unauthorized(): AccessProblem {
  return new AccessProblem(
    HttpStatus.UNAUTHORIZED,
    'A valid API key is required (Authorization: Bearer <key> or X-API-Key: <key>)',
  );
}

/** Two different keys in one request: refused rather than guessing which one it meant. */
export function conflictingKeys(): AccessProblem {
  return new AccessProblem(
    HttpStatus.BAD_REQUEST,
    'Authorization and X-API-Key carry different keys: send one key',
  );
}

export function quotaExceeded(violated: PolicyName[]): AccessProblem {
  return new AccessProblem(
    HttpStatus.TOO_MANY_REQUESTS,
    `Rate limit exceeded: ${violated.join(' and ')} per minute`,
    QUOTA_EXCEEDED,
    { 'violated-policies': violated },
  );
}

export function overloaded(): AccessProblem {
  return new AccessProblem(
    HttpStatus.SERVICE_UNAVAILABLE,
    'The service is at capacity; retry shortly',
    TEMPORARY_REDUCED_CAPACITY,
  );
}
