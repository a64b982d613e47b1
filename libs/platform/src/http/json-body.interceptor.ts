import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { from, switchMap, type Observable } from 'rxjs';
import { checkBodyHeaders, readJsonBody } from './json-body-reader.js';

export const BODY_LIMIT_BYTES = Symbol('BODY_LIMIT_BYTES');

/** Whether the matched handler declares a `@Body()` parameter. */
function takesBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(
    ROUTE_ARGS_METADATA,
    context.getClass(),
    context.getHandler().name,
  ) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

const READ = Symbol('jsonBodyRead');
type BodyRequest = IncomingMessage & { body?: unknown; [READ]?: Promise<void> };

/**
 * Reads a request's JSON body once, whoever asks first: the body interceptor, or a guard that
 * must see the body before the handler (e.g. to reserve a token budget) after it has checked
 * what the headers alone decide (who is calling).
 */
@Injectable()
export class JsonBodyReader {
  constructor(@Inject(BODY_LIMIT_BYTES) private readonly limit: number) {}

  /** Reads `req.body` if it was not read yet; the same promise for every caller. */
  read(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = req as BodyRequest;
    request[READ] ??= this.readOnce(request, res);
    return request[READ];
  }

  private async readOnce(req: BodyRequest, res: ServerResponse): Promise<void> {
    checkBodyHeaders(req, this.limit);
    if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
    req.body = await readJsonBody(req, this.limit);
  }
}

/**
 * Reads the JSON body of the handlers that take one, after routing: an unknown route or a
 * wrong method is a 404/405 whatever the body, and errors are labelled with their route. The
 * headers are checked first, so `Expect: 100-continue` is answered with `100 Continue` only
 * when the body will be read, and with the final 413/415 otherwise.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  constructor(private readonly bodies: JsonBodyReader) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !takesBody(context)) return next.handle();
    const http = context.switchToHttp();
    const read = this.bodies.read(http.getRequest(), http.getResponse());
    return from(read).pipe(switchMap(() => next.handle()));
  }
}
