import type { OpenAPIObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../http/problem-details.dto.js';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.js';
import { problemExample } from './api-problem-responses.decorator.js';
import { TRACE_HEADERS, TRACE_HEADER_REFS } from './trace-headers.js';

/** Name of the request id header, in requests (optional) and every response (always). */
export const REQUEST_ID_HEADER_NAME = 'X-Request-Id';

// The ids the request logger accepts from callers (logging/request-id.ts); others are replaced
// by a UUID, which matches too. complete-openapi-document.spec.ts keeps the two in step.
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

const REQUEST_ID_SCHEMA = { type: 'string', pattern: REQUEST_ID_PATTERN, maxLength: 128 } as const;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, { description?: string; headers?: Record<string, unknown> }>;
}

/**
 * Adds what holds for every route because the platform does it, not the route: the
 * `X-Request-Id` header (accepted on requests, sent on every response), the 500 problem any
 * route can answer, an explicit empty `security` when none is declared, and `additionalProperties: false` on request bodies (the validation pipe
 * rejects unknown fields). Returns the same document, completed in place.
 */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  // No scheme required unless a route or the builder says otherwise (stated, not left out).
  document.security ??= [];
  const components = (document.components ??= {});
  components.headers = {
    ...components.headers,
    [REQUEST_ID_HEADER_NAME]: {
      description:
        'The caller’s X-Request-Id when it matches the pattern, else a generated UUID. It is in every log line of the request.',
      required: true,
      schema: REQUEST_ID_SCHEMA,
    },
    ...TRACE_HEADERS,
  };
  const requestIdRef = { $ref: `#/components/headers/${REQUEST_ID_HEADER_NAME}` };

  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (pathItem as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      addRequestIdParameter(operation);
      operation.responses['500'] ??= internalError();
      for (const response of Object.values(operation.responses)) {
        response.headers = {
          [REQUEST_ID_HEADER_NAME]: requestIdRef,
          ...TRACE_HEADER_REFS,
          ...response.headers,
        };
      }
      closeRequestBody(document, operation);
    }
  }
  return document;
}

function addRequestIdParameter(operation: Operation): void {
  const parameters = (operation.parameters ??= []);
  if (parameters.some((p) => p.in === 'header' && p.name === REQUEST_ID_HEADER_NAME)) return;
  parameters.push({
    name: REQUEST_ID_HEADER_NAME,
    in: 'header',
    required: false,
    description: 'Your id for this request, echoed back and logged; others get a UUID.',
    schema: REQUEST_ID_SCHEMA,
  } as Operation['parameters'] extends (infer P)[] | undefined ? P : never);
}

function internalError(): { description: string; content: Record<string, unknown> } {
  return {
    description: 'An unexpected error; the body never carries internals.',
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
        example: problemExample(500),
      },
    },
  };
}

function closeRequestBody(document: OpenAPIObject, operation: Operation): void {
  for (const media of Object.values(operation.requestBody?.content ?? {})) {
    const name = media.schema?.$ref?.split('/').pop();
    const schema = name ? document.components?.schemas?.[name] : undefined;
    if (schema && !('$ref' in schema)) schema.additionalProperties = false;
  }
}
