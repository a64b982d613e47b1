import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { AccessProblem } from './access-problem.js';

/**
 * Renders {@link AccessProblem}s as the service's other problem documents are rendered, plus
 * their extension members (e.g. `violated-policies`). Headers the guard set (WWW-Authenticate,
 * Retry-After, RateLimit) stay on the response.
 */
@Catch(AccessProblem)
export class AccessProblemFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(problem: AccessProblem, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<{ id?: unknown; originalUrl?: string; url?: string }>();
    const status = problem.getStatus();
    const url = req.originalUrl ?? req.url ?? '/';
    const body = {
      type: problem.type,
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: problem.detail,
      instance: url.split('?')[0],
      ...(typeof req.id === 'string' ? { requestId: req.id } : {}),
      ...problem.extensions,
    };
    const adapter = this.adapterHost.httpAdapter;
    const res: unknown = ctx.getResponse();
    adapter.setHeader(res, 'Content-Type', 'application/problem+json');
    adapter.reply(res, body, status);
  }
}
