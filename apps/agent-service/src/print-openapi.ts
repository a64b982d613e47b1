import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { buildOpenApiDocument } from './openapi.js';
import { loadServiceEnvironment } from './service-environment.js';

// Prints the OpenAPI document to stdout without listening on a port (npm run lint:openapi).
// The embedded defaults are enough: optional dependencies add no routes.
const env = loadServiceEnvironment({ LOG_LEVEL: 'silent' });
const app = await NestFactory.create(AppModule.forRoot(env), { logger: false, bodyParser: false });
await app.init();
process.stdout.write(`${JSON.stringify(buildOpenApiDocument(app, env), null, 2)}\n`);
await app.close();
