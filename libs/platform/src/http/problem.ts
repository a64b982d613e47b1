import { HttpException, HttpStatus } from '@nestjs/common';

/** One invalid input, as reported in a problem's `errors` list. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem details document. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  /** The W3C trace id of the request, when it is traced. */
  trace_id?: string;
  errors?: FieldError[];
  /** Extension members (RFC 9457 section 3.2), e.g. `violated-policies`. */
  [member: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An HTTP error that renders as problem details. `detail` is what clients of the first
 * contract read, so it carries the human message; `errors` adds one entry per bad field and
 * `extensions` any further members of the problem type.
 */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly type = 'about:blank',
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }
}

/** Builds the 400 for invalid input from per-field errors, in declaration order. */
export function validationProblem(errors: FieldError[]): ProblemException {
  const detail = errors.map((e) => e.message).join('; ') || 'Invalid request';
  return new ProblemException(HttpStatus.BAD_REQUEST, detail, errors);
}
