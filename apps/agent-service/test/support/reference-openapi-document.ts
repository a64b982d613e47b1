import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadEnvironment } from '@app/platform';
import { AppModule } from '../../src/app.module.js';
import { buildOpenApiDocument } from '../../src/openapi.js';

/** The OpenAPI document of this code with default settings, built without listening. */
export async function referenceOpenApiDocument(): Promise<OpenAPIObject> {
  const env = loadEnvironment({ LOG_LEVEL: 'silent' });
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
