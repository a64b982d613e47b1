import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type HeadersObject } from '@nestjs/swagger';

import { STATUS_CODES } from 'node:http';
import { ProblemDetailsDto } from '../http/problem-details.dto.js';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.js';

/** One error answer a route declares: its status, when it happens, and optionally a sample. */
export interface ProblemResponse {
  status: number;
  /** When the route answers this status (shown in the document). */
  description: string;
  /** The `detail` of the example; defaults to the message the platform sends for the status. */
  detail?: string;
  /** Per-field errors of the example (400s). */
  errors?: { field: string; message: string }[];
  /** The `instance` (request path) of the example. */
  instance?: string;
  /** The `title` of the example, when the problem has a type of its own. */
  title?: string;
  /** The `type` URI of the example (default `about:blank`). */
  type?: string;
  /** Headers sent with this answer (e.g. `WWW-Authenticate`, `Retry-After`). */
  headers?: HeadersObject;
  /** Extension members of the example (e.g. `violated-policies`). */
  extensions?: Record<string, unknown>;
  /** The body's schema when the problem has extension members (a ProblemDetailsDto subclass). */
  model?: Type<ProblemDetailsDto>;
}

// What the platform itself sends for each status, so the examples read like real answers.
const DEFAULT_DETAILS: Record<number, string> = {
  400: 'max_tokens must be between 10 and 2000',
  404: 'Cannot GET /path',
  413: 'Request body is larger than the configured limit',
  415: 'Request body must be sent as application/json',
  500: 'An unexpected error occurred',
  503: 'The service is temporarily unavailable',
};

/** A problem document as the filter renders it: the example of one declared error. */
export function problemExample(
  status: number,
  detail = DEFAULT_DETAILS[status] ?? STATUS_CODES[status] ?? 'Error',
  errors?: ProblemResponse['errors'],
  instance?: string,
): ProblemDetailsDto {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(instance ? { instance } : {}),
    request_id: '3f1c0b5e-8a0e-4c52-9a53-8d1f0f6e2a10',
    ...(errors ? { errors } : {}),
  };
}

/**
 * Declares a route's error answers as RFC 9457 problem documents (`application/problem+json`,
 * the ProblemDetails schema, an example of each status's own). Use it on every route, on the
 * method or the controller:
 *
 *     @ApiProblemResponses(
 *       { status: 400, description: 'Invalid body.' },
 *       { status: 502, description: 'The provider failed.', detail: 'LLM provider is unreachable' },
 *     )
 *
 * `500` and the `X-Request-Id` header are added to every operation when the document is built
 * (see `completeOpenApiDocument`), so routes declare only what they answer on purpose.
 */
export function ApiProblemResponses(
  ...responses: ProblemResponse[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto, ...responses.flatMap((r) => (r.model ? [r.model] : []))),
    ...responses.map((r) =>
      ApiResponse({
        status: r.status,
        description: r.description,
        ...(r.headers ? { headers: r.headers } : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(r.model ?? ProblemDetailsDto) },
            example: {
              ...problemExample(r.status, r.detail, r.errors, r.instance),
              ...(r.type ? { type: r.type } : {}),
              ...(r.title ? { title: r.title } : {}),
              ...r.extensions,
            },
          },
        },
      }),
    ),
  );
}
