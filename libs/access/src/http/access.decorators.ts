import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiSecurity } from '@nestjs/swagger';
import { ApiProblemResponses, BodyReadByGuard } from '@app/platform';
import { QuotaExceededProblemDto } from './access-problem.dto.js';
import { QUOTA_EXCEEDED, TEMPORARY_REDUCED_CAPACITY } from './access-problem.js';
import { AccessGuard } from './access.guard.js';
import type { MeteredRoute } from './access-step.js';

/** Names of the OpenAPI security schemes (see `addAccessSecuritySchemes`). */
export const BEARER_SCHEME = 'api-key-bearer';
export const HEADER_SCHEME = 'api-key-header';

// What a 429 carries: when to come back, and the budgets as they stand (RATE_LIMIT_HEADER_NAMES).
/** The rate-limit headers of a metered response, answered or refused (OpenAPI declarations). */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Policy': {
    description:
      'The per-minute request policy and the token budgets (IETF HTTPAPI draft; budgets counted in tokens, qu="tokens")',
    schema: {
      type: 'string',
      example: '"requests";q=60;w=60, "tokens-per-day";q=100000;qu="tokens";w=86400',
    },
  },
  RateLimit: {
    description:
      'What is left of each policy and seconds until capacity returns (a budget: its window resets)',
    schema: { type: 'string', example: '"requests";r=12;t=18, "tokens-per-day";r=5400;t=3600' },
  },
  'x-ratelimit-limit-requests': { schema: { type: 'integer', minimum: 0 } },
  'x-ratelimit-remaining-requests': { schema: { type: 'integer', minimum: 0 } },
  'x-ratelimit-reset-requests': { schema: { type: 'string', example: '12s' } },
  'x-ratelimit-limit-tokens': { schema: { type: 'integer', minimum: 0 } },
  'x-ratelimit-remaining-tokens': { schema: { type: 'integer', minimum: 0 } },
  'x-ratelimit-reset-tokens': { schema: { type: 'string', example: '1m0s' } },
};

const RATE_LIMITED_HEADERS = {
  'Retry-After': {
    required: true,
    description: 'Seconds to wait.',
    schema: { type: 'integer', minimum: 0 },
  },
  ...RATE_LIMIT_HEADERS,
};

/** The key requirement in the OpenAPI document, and its 401. */
function keyRequired() {
  return applyDecorators(
    // Two requirements: either scheme is enough.
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(HEADER_SCHEME),
    ApiProblemResponses({
      status: 401,
      description: 'Keys are configured and the request has none, or an unknown one.',
      detail: 'A valid API key is required (Authorization: Bearer <key> or X-API-Key: <key>)',
      headers: {
        'WWW-Authenticate': { required: true, schema: { type: 'string', example: 'Bearer' } },
      },
    }),
  );
}

/** The route needs a valid API key when keys are configured; handlers may read `@ClientId()`. */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(UseGuards(AccessGuard), BodyReadByGuard(), keyRequired());
}

/**
 * Documents a metered route, from the same declaration its handler passes to `AccessStep.run`
 * (which checks the key, sheds beyond MAX_IN_FLIGHT, validates the body against `route.body`
 * and applies the per-client rate limits): the request body, the key, the 429 and the 503.
 */
export function Metered<TBody extends object>(route: MeteredRoute<TBody>): MethodDecorator {
  return applyDecorators(
    ApiBody({ type: route.body }),
    keyRequired(),
    ApiProblemResponses(
      {
        status: 429,
        description:
          'Over the per-minute request or token budget, or a token budget per UTC day, month or rolling window (problem type quota-exceeded, with violated-policies; for a budget, Retry-After is the seconds until its window resets).',
        detail: 'Rate limit exceeded: requests per minute',
        type: QUOTA_EXCEEDED,
        model: QuotaExceededProblemDto,
        extensions: { 'violated-policies': ['requests'] },
        headers: RATE_LIMITED_HEADERS,
      },
      {
        status: 503,
        description: 'MAX_IN_FLIGHT requests are already running on this replica.',
        detail: 'The service is at capacity; retry shortly',
        type: TEMPORARY_REDUCED_CAPACITY,
        headers: {
          'Retry-After': {
            required: true,
            description: 'Seconds to wait.',
            schema: { type: 'integer', minimum: 0 },
          },
        },
      },
    ),
  );
}
