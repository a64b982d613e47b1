import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { pathOf } from '../logging/log-fields.js';
import { PROBLEM_CONTENT_TYPE, ProblemException, type ProblemDetails } from './problem.js';

interface ParserError {
  status?: number;
  statusCode?: number;
  type?: string;
}

// body-parser and raw-body errors carry a `type`; map each to a message that quotes nothing.
const PARSER_DETAILS: Record<string, string> = {
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.large': 'Request body is larger than the configured limit',
  'encoding.unsupported': 'Request body encoding is not supported',
  'charset.unsupported': 'Request body charset is not supported',
  'request.aborted': 'Request was aborted by the client',
  'request.size.invalid': 'Request body size does not match its Content-Length',
  'stream.encoding.set': 'Request body could not be read',
};

function parserDetail(error: unknown): string | undefined {
  const type = (error as ParserError | null | undefined)?.type;
  return type === undefined ? undefined : PARSER_DETAILS[type];
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
    const req = ctx.getRequest<IncomingMessage & { id?: unknown; originalUrl?: string }>();
    const problem = this.toProblem(exception);
    problem.instance = pathOf(req.originalUrl ?? req.url);
    if (typeof req.id === 'string') problem.requestId = req.id;
    // Deliberate 5xx answers (upstream down, store unavailable) are logged where they arise.
    if (!(exception instanceof HttpException))
      this.logger.error({ err: exception }, 'unhandled error');

    const adapter = this.adapterHost.httpAdapter;
    const res: unknown = ctx.getResponse();
    // The request log line of a 5xx carries the error's type and stack frames.
    if (problem.status >= 500) attachError(res, exception);
    adapter.setHeader(res, 'Content-Type', PROBLEM_CONTENT_TYPE);
    adapter.reply(res, problem, problem.status);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) {
      return this.problem(
        exception.getStatus(),
        exception.detail,
        exception.type,
        exception.errors,
      );
    }
    if (exception instanceof HttpException) {
      // The adapter wraps body-parser errors; their own messages may quote the body.
      const detail = parserDetail(exception.cause) ?? this.detailOf(exception);
      return this.problem(exception.getStatus(), detail);
    }
    const status =
      (exception as ParserError | null)?.status ?? (exception as ParserError | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return this.problem(status, parserDetail(exception) ?? STATUS_CODES[status] ?? 'Bad request');
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
