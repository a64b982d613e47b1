import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { closeAfterResponse, ProblemException, rawResponse } from '@app/platform';
import type { IncomingMessage } from 'node:http';
import { isAbort } from '../providers/provider-error.js';
import { OpenAiRequestError } from './openai-error.js';

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const UNKNOWN_FIELD = /^property (\S+) should not exist$/;

/** OpenAI's error `type` (and default `code`) for a status. */
function kindOf(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'permission_error', code: null };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status === 429) return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** The OpenAI error document for an exception (5xx never expose internals). */
export function openAiError(exception: unknown): { status: number; body: OpenAiErrorBody } {
  const status =
    exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
  const kind = kindOf(status);
  let message = 'An unexpected error occurred';
  let param: string | null = null;
  let code = kind.code;
  if (exception instanceof ProblemException) {
    const field = exception.errors?.[0];
    const unknown = field && UNKNOWN_FIELD.exec(field.message);
    message = unknown ? `Unrecognized request argument supplied: ${unknown[1]}` : exception.detail;
    param = field ? (unknown ? unknown[1] : field.field) : null;
    if (unknown) code = 'unknown_parameter';
  } else if (exception instanceof HttpException && status < 500) {
    message = exception.message;
  }
  if (exception instanceof OpenAiRequestError) {
    param = exception.param;
    code = exception.code ?? code;
  }
  return { status, body: { error: { message, type: kind.type, param, code } } };
}

/**
 * Renders errors on the `/v1` routes in OpenAI's shape, so OpenAI clients (the official SDKs,
 * LangChain, ...) raise their usual error types. Scoped to those controllers; everything else
 * keeps problem details.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectPinoLogger('openai') private readonly logger: PinoLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (!(exception instanceof HttpException) && !isAbort(exception)) {
      this.logger.error({ err: exception }, 'unhandled error');
    }
    const { status, body } = openAiError(exception);
    const res: unknown = host.switchToHttp().getResponse();
    const req = host.switchToHttp().getRequest<IncomingMessage>();
    const adapter = this.adapterHost.httpAdapter;
    // A body left unread (refused from its headers, or cut at the limit) is not drained.
    if (!req.complete) closeAfterResponse(req, rawResponse(res));
    adapter.setHeader(res, 'Content-Type', 'application/json; charset=utf-8');
    adapter.reply(res, body, status);
  }
}
