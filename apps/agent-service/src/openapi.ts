import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addAccessSecuritySchemes } from '@app/access';
import type { Environment } from '@app/platform';

/** Serves Swagger UI at /docs and the OpenAPI document at /openapi.json. */
export function setupOpenApi(app: INestApplication, env: Environment): void {
  const config = addAccessSecuritySchemes(new DocumentBuilder())
    .setTitle('AI Agent Service')
    .setDescription(
      'An AI agent behind a pluggable LLM provider, with Kubernetes probes and Prometheus metrics. ' +
        'Errors are RFC 9457 problem details (application/problem+json).',
    )
    .setVersion(env.APP_VERSION)
    .build();
  // Built on the first /docs or /openapi.json request, not during start-up.
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'AI Agent Service API',
  });
}
