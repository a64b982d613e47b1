import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { addAccessSecuritySchemes } from '@app/access';
import { completeOpenApiDocument, ProblemDetailsDto, type Environment } from '@app/platform';
import { OpenApiDocument } from './docs/openapi-document.js';

/** The OpenAPI document of the service: every route's decorators plus what the platform adds. */
export function buildOpenApiDocument(app: INestApplication, env: Environment): OpenAPIObject {
  const config = addAccessSecuritySchemes(new DocumentBuilder())
    .setTitle('AI Agent Service')
    .setDescription(
      'An AI agent behind a pluggable LLM provider, with Kubernetes probes and Prometheus metrics. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`); every response ' +
        'carries `X-Request-Id`.',
    )
    .setVersion(env.APP_VERSION)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: the document is right wherever the service is reached (port-forward, ingress).
    .addServer('/', 'The server this document was fetched from')
    .addTag('agent', 'Queries to the agent and their history')
    .addTag('openai', 'OpenAI-compatible API (OpenAI shapes and errors, not problem details)')
    .addTag('operations', 'Probes for Kubernetes and metrics for Prometheus')
    .addTag('documentation', 'This document and Swagger UI')
    .addTag(
      'admin',
      'Operator routes: API keys and their audit trail, usage per client (ADMIN_TOKEN or an admin key)',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto],
  });
  // DocumentBuilder always writes an empty contact; no contact channel is published.
  delete document.info.contact;
  return completeOpenApiDocument(document);
}

/** Serves Swagger UI at /docs and the OpenAPI document at /openapi.json (built on first request). */
export function setupOpenApi(app: INestApplication, env: Environment): void {
  app.get(OpenApiDocument).use(() => buildOpenApiDocument(app, env));
}
