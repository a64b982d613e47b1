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
  requestId?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An HTTP error that renders as problem details. `detail` is what seed clients read, so
 * it carries the human message; `errors` adds one entry per bad field.
 */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly type = 'about:blank',
  ) {
    super(detail, status);
  }
}

/** Builds the 400 for invalid input from per-field errors, in declaration order. */
export function validationProblem(errors: FieldError[]): ProblemException {
  const detail = errors.map((e) => e.message).join('; ') || 'Invalid request';
  return new ProblemException(HttpStatus.BAD_REQUEST, detail, errors);
}
