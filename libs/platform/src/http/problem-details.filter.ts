import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  NotFoundException,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { pathOf, routeOf } from '../logging/log-fields.js';
import { activeTraceId } from '../telemetry/trace-context.js';
import { allowedMethods } from './allowed-methods.js';
import { closeAfterResponse } from './lingering-close.js';
import { PROBLEM_CONTENT_TYPE, ProblemException, type ProblemDetails } from './problem.js';

type Request = IncomingMessage & { id?: unknown; originalUrl?: string };

/** The Node.js response under either adapter (Fastify's reply holds it in `raw`). */
export function rawResponse(res: unknown): ServerResponse {
  return (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
}

function attachError(res: unknown, exception: unknown): void {
  if (res !== null && typeof res === 'object') (res as { err?: unknown }).err = exception;
}

/** Renders every error as `application/problem+json`; 5xx never expose internals. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectPinoLogger('http') private readonly logger: PinoLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const path = pathOf(req.originalUrl ?? req.url);
    const adapter = this.adapterHost.httpAdapter;
    const res: unknown = ctx.getResponse();
    let problem: ProblemDetails;
    if (exception instanceof NotFoundException && routeOf(req) === 'unmatched') {
      // No handler matched: the router's own 404 would quote the whole URL, query string included.
      const allow = allowedMethods(this.adapterHost, path);
      if (allow.length > 0) adapter.setHeader(res, 'Allow', allow.join(', '));
      problem =
        allow.length > 0
          ? this.problem(HttpStatus.METHOD_NOT_ALLOWED, `Method ${req.method} is not allowed here`)
          : this.problem(HttpStatus.NOT_FOUND, `Cannot ${req.method} ${path}`);
    } else {
      problem = this.toProblem(exception);
    }
    problem.instance = path;
    if (typeof req.id === 'string') problem.request_id = req.id;
    const traceId = activeTraceId();
    if (traceId !== undefined) problem.trace_id = traceId;
    // Deliberate 5xx answers (upstream down, store unavailable) are logged where they arise.
    if (!(exception instanceof HttpException))
      this.logger.error({ err: exception }, 'unhandled error');
    // The request log line of a 5xx carries the error's type and stack frames.
    if (problem.status >= 500) attachError(res, exception);
    // A body left unread (refused from its headers, or cut at the limit) is not drained:
    // the connection closes after this answer instead, gracefully.
    if (!req.complete) closeAfterResponse(req, rawResponse(res));
    adapter.setHeader(res, 'Content-Type', PROBLEM_CONTENT_TYPE);
    adapter.reply(res, problem, problem.status);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) {
      return {
        ...this.problem(exception.getStatus(), exception.detail, exception.type, exception.errors),
        ...exception.extensions,
      };
    }
    if (exception instanceof HttpException) {
      return this.problem(exception.getStatus(), this.detailOf(exception));
    }
    const status =
      (exception as { status?: unknown } | null)?.status ??
      (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Errors from other middleware may quote the request in their messages: status text only.
      return this.problem(status, STATUS_CODES[status] ?? 'Bad request');
    }
    return this.problem(HttpStatus.INTERNAL_SERVER_ERROR, 'An unexpected error occurred');
  }

  private detailOf(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }

  private problem(
    status: number,
    detail: string,
    type = 'about:blank',
    errors?: ProblemDetails['errors'],
  ): ProblemDetails {
    return {
      type,
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail,
      ...(errors?.length ? { errors } : {}),
    };
  }
}
