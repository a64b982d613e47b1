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

/** OpenAI's 404 `model_not_found` unless `asked` is the model this service serves. */
export function requireServedModel(asked: string, served: string): void {
  if (asked !== served) {
    throw new OpenAiRequestError(
      'The model does not exist or you do not have access to it (see GET /v1/models).',
      'model',
      'model_not_found',
      HttpStatus.NOT_FOUND,
    );
  }
}
