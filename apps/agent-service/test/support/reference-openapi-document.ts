import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../../src/app.module.js';
import { loadServiceEnvironment } from '../../src/service-environment.js';
import { buildOpenApiDocument } from '../../src/openapi.js';

/** The OpenAPI document of this code with default settings, built without listening. */
export async function referenceOpenApiDocument(): Promise<OpenAPIObject> {
  const env = loadServiceEnvironment({ LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(AppModule.forRoot(env), {
    logger: false,
    bodyParser: false,
  });
  await app.init();
  try {
    return buildOpenApiDocument(app, env);
  } finally {
    await app.close();
  }
}
