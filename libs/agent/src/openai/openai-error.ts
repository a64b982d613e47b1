import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@app/platform';

/**
 * A client error on `/v1` that names the offending parameter and an OpenAI error code, as
 * OpenAI's own errors do (`{"error": {"message", "type", "param", "code"}}`).
 */
export class OpenAiRequestError extends ProblemException {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string | null = null,
    status: HttpStatus = HttpStatus.BAD_REQUEST,
  ) {
    super(status, message, param ? [{ field: param, message }] : undefined);
  }
}
