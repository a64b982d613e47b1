import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '@app/platform';
import { ACCESS_ROUTE, type AccessRoute, type MeteredOptions } from './access-route.js';
import { AccessGuard } from './access.guard.js';
import { AccessInterceptor } from './access.interceptor.js';

/** Names of the OpenAPI security schemes (see `addAccessSecuritySchemes`). */
export const BEARER_SCHEME = 'api-key-bearer';
export const HEADER_SCHEME = 'api-key-header';

function authenticatedRoute(route: AccessRoute) {
  return applyDecorators(
    SetMetadata(ACCESS_ROUTE, route),
    UseGuards(AccessGuard),
    // Two requirements: either scheme is enough.
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(HEADER_SCHEME),
    ApiUnauthorizedResponse({
      type: ProblemDetailsDto,
      description: 'Keys are configured and the request has none, or an unknown one.',
      headers: { 'WWW-Authenticate': { schema: { type: 'string', example: 'Bearer' } } },
    }),
  );
}

/** The route needs a valid API key when keys are configured; handlers may read `@ClientId()`. */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return authenticatedRoute({ metered: false });
}

/**
 * `@Authenticated()`, plus load shedding (MAX_IN_FLIGHT) and the per-client rate limits:
 * tokens are reserved with `reserveTokens` at admission and charged from `tokensUsed`.
 */
export function Metered<TResult>(options: MeteredOptions<TResult> = {}): MethodDecorator {
  return applyDecorators(
    authenticatedRoute({ ...(options as MeteredOptions), metered: true }),
    UseInterceptors(AccessInterceptor),
    ApiTooManyRequestsResponse({
      type: ProblemDetailsDto,
      description:
        'Over the per-minute request or token budget (problem type quota-exceeded, with violated-policies).',
      headers: {
        'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' },
        RateLimit: { schema: { type: 'string', example: '"requests";r=0;t=12' } },
      },
    }),
    ApiResponse({
      status: 503,
      type: ProblemDetailsDto,
      description: 'MAX_IN_FLIGHT requests are already running on this replica.',
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    }),
  );
}
