import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  type ApiOperationOptions,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { Authenticated } from '@app/access';
import { OpenAiErrorFilter } from './openai-error.filter.js';
import {
  ApiOpenAiErrors,
  OPENAI_ACCESS_ERRORS,
  type OpenAiErrorResponse,
} from './openai-api.schemas.js';

/** A `/v1` controller: OpenAI's error format on every route, including the unexpected 500. */
export function OpenAiController(path: string): ClassDecorator {
  return applyDecorators(
    ApiTags('openai'),
    Controller(path),
    UseFilters(OpenAiErrorFilter),
    ApiOpenAiErrors({
      status: 500,
      description: 'An unexpected error',
      message: 'An unexpected error occurred',
    }),
  );
}

/**
 * A route over one client's own stored objects (responses, conversations): authenticated,
 * documented with its answer and errors. The errors are declared after `@Authenticated()` has
 * run, so its 401 is documented in OpenAI's shape, as the controller's filter sends it.
 */
export function OwnedObjectRoute(
  operation: ApiOperationOptions,
  ok: ApiResponseOptions,
  ...errors: OpenAiErrorResponse[]
): MethodDecorator {
  return applyDecorators(
    Authenticated(),
    ApiOpenAiErrors(OPENAI_ACCESS_ERRORS[0], ...errors),
    ApiOperation(operation),
    ApiOkResponse(ok),
  );
}
