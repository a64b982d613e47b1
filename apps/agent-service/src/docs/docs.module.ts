import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller.js';
import { OpenApiDocument } from './openapi-document.js';

/** Swagger UI at /docs and the OpenAPI document at /openapi.json, served like any other route. */
@Module({
  controllers: [DocsController],
  providers: [OpenApiDocument],
  exports: [OpenApiDocument],
})
export class DocsModule {}
