import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Environment } from '../config/environment.js';
import { parseBodyLimit } from './body-size.js';
import { BODY_LIMIT_BYTES, JsonBodyGuard, JsonBodyReader } from './json-body.guard.js';
import { DtoValidator } from './validation.js';

/**
 * Request-body handling. Bodies are read after routing, by the handlers that declare one
 * (JsonBodyGuard, or the route's own guard): a request for an unknown route or with a wrong method never has its
 * body read, and body errors are logged and counted under the route they were sent to.
 */
@Module({})
export class HttpModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: HttpModule,
      providers: [
        { provide: BODY_LIMIT_BYTES, useValue: parseBodyLimit(env.BODY_LIMIT) },
        JsonBodyReader,
        DtoValidator,
        { provide: APP_GUARD, useClass: JsonBodyGuard },
      ],
      exports: [JsonBodyReader, DtoValidator],
    };
  }
}
