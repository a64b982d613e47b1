import { Controller, Get, Header, HttpStatus, Param, Req, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { ApiProblemResponses, ProblemException } from '@app/platform';
import { OpenApiDocument } from './openapi-document.js';
import {
  SWAGGER_UI_FILES,
  SWAGGER_UI_INIT_JS,
  swaggerUiFile,
  swaggerUiHtml,
} from './swagger-ui.js';

const ASSET_NAMES = [...Object.keys(SWAGGER_UI_FILES), 'swagger-ui-init.js'];

/**
 * A controller, not SwaggerModule.setup(): routes registered straight on the HTTP adapter run
 * before Nest's middleware, so they had no request id, no log line and no metrics.
 */
@ApiTags('documentation')
@Controller()
export class DocsController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({ operationId: 'openapi', summary: 'This OpenAPI document' })
  @ApiOkResponse({
    description: 'The OpenAPI 3.0 document of the service.',
    content: { 'application/json': { schema: { type: 'object' } } },
  })
  openapi(): string {
    return this.document.toJson();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ operationId: 'docs', summary: 'Swagger UI' })
  @ApiOkResponse({
    description: 'The Swagger UI page for this document.',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  docs(@Req() req: { url?: string }): string {
    const path = (req.url ?? '').split('?')[0];
    return swaggerUiHtml(path.endsWith('/') ? './' : 'docs/');
  }

  @Get('docs/:file')
  @ApiOperation({ operationId: 'docsFile', summary: 'A file of the Swagger UI page' })
  @ApiParam({ name: 'file', enum: ASSET_NAMES })
  @ApiOkResponse({
    description: 'A stylesheet, script or icon of Swagger UI.',
    content: {
      'text/css': { schema: { type: 'string' } },
      'text/javascript': { schema: { type: 'string' } },
      'image/png': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProblemResponses({
    status: 404,
    description: 'Not a file of the Swagger UI page.',
    detail: 'No such file',
    instance: '/docs/nope.js',
  })
  file(@Param('file') name: string): StreamableFile {
    if (name === 'swagger-ui-init.js') {
      return new StreamableFile(Buffer.from(SWAGGER_UI_INIT_JS), {
        type: 'text/javascript; charset=utf-8',
      });
    }
    const type = Object.hasOwn(SWAGGER_UI_FILES, name) ? SWAGGER_UI_FILES[name] : undefined;
    if (!type) throw new ProblemException(HttpStatus.NOT_FOUND, 'No such file');
    return new StreamableFile(createReadStream(swaggerUiFile(name)), { type });
  }
}
