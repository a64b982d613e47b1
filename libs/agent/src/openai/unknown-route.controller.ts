import { All, Controller, HttpStatus, Req, Res, UseFilters } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { allowedMethods, type ResponseControls } from '@app/platform';
import { OpenAiRequestError } from './openai-error.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';

/**
 * Every `/v1` request no route took: OpenAI's 404 (`unknown_url`) or 405 (with `Allow`), so the
 * SDKs show their usual error instead of "status code (no body)". Registered after every other
 * `/v1` controller (Express tries routes in order); wildcard routes are not handlers for
 * `allowedMethods` or the request log, which still report `unmatched`. Nothing of the path the
 * client sent is quoted back.
 */
@ApiExcludeController()
@Controller()
@UseFilters(OpenAiErrorFilter)
export class UnknownRouteController {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  // One wildcard template (not a separate `v1` route, which would count as serving every method).
  @All('v1{/*path}')
  refuse(
    @Req() req: IncomingMessage & { originalUrl?: string },
    @Res({ passthrough: true }) res: ResponseControls,
  ): never {
    const raw = req.originalUrl ?? req.url ?? '/';
    const q = raw.indexOf('?');
    const allow = allowedMethods(this.adapterHost, q === -1 ? raw : raw.slice(0, q));
    // The body (if any) was never read: close the connection after the answer, not drain it.
    if (!req.complete) res.header('Connection', 'close');
    if (allow.length === 0) {
      throw new OpenAiRequestError(
        'Unknown URL: no /v1 route has this path (see /openapi.json)',
        null,
        'unknown_url',
        HttpStatus.NOT_FOUND,
      );
    }
    res.header('Allow', allow.join(', '));
    throw new OpenAiRequestError(
      `This route does not accept this method (allowed: ${allow.join(', ')})`,
      null,
      'method_not_allowed',
      HttpStatus.METHOD_NOT_ALLOWED,
    );
  }
}
