import { applyDecorators, Controller, HttpCode, HttpStatus, UseFilters } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  type ApiOperationOptions,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { Authenticated, Metered, type MeteredRoute } from '@app/access';
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

/**
 * A route that asks the model: metered (its handler runs the access step with `route`; the
 * refusals documented in OpenAI's shape), with the provider's failures documented.
 */
export function ModelRoute<TBody extends object>(route: MeteredRoute<TBody>): MethodDecorator {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    Metered(route),
    ApiOpenAiErrors(
      ...OPENAI_ACCESS_ERRORS,
      {
        status: 502,
        description: 'The LLM provider failed',
        message: 'An unexpected error occurred',
      },
      {
        status: 504,
        description: 'The LLM provider did not answer within LLM_TIMEOUT_MS',
        message: 'An unexpected error occurred',
      },
    ),
  );
}
