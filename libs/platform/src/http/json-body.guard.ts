import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkBodyHeaders, readJsonBody } from './json-body-reader.js';

export const BODY_LIMIT_BYTES = Symbol('BODY_LIMIT_BYTES');

// Per handler: its parameters are fixed once the routes are built.
const takesBodyByHandler = new WeakMap<object, boolean>();

/** Whether the matched handler declares a `@Body()` parameter. */
export function takesBody(context: ExecutionContext): boolean {
  const handler = context.getHandler();
  let takes = takesBodyByHandler.get(handler);
  if (takes === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
      {}) as Record<string, unknown>;
    takes = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
    takesBodyByHandler.set(handler, takes);
  }
  return takes;
}

const READ = Symbol('jsonBodyRead');
const DONE = Symbol('jsonBodyDone');
type BodyRequest = IncomingMessage & {
  body?: unknown;
  [READ]?: Promise<void>;
  [DONE]?: boolean;
};

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

  /** Whether `req.body` has been read successfully (a guard may have read it first). */
  isRead(req: IncomingMessage): boolean {
    return (req as BodyRequest)[DONE] === true;
  }

  private async readOnce(req: BodyRequest, res: ServerResponse): Promise<void> {
    checkBodyHeaders(req, this.limit);
    if (req.headers.expect !== undefined && /^100-continue$/i.test(req.headers.expect)) {
      res.writeContinue();
    }
    req.body = await readJsonBody(req, this.limit, { headersChecked: true });
    req[DONE] = true;
  }
}

const BODY_READ_BY_GUARD = Symbol('bodyReadByGuard');

/**
 * The route's own guard reads its body, once it has checked what the headers alone decide (who
 * is calling): `JsonBodyGuard` leaves it alone.
 */
export const BodyReadByGuard = () => SetMetadata(BODY_READ_BY_GUARD, true);

/**
 * Reads the JSON body of the handlers that take one, after routing: an unknown route or a
 * wrong method is a 404/405 whatever the body, and errors are labelled with their route. The
 * headers are checked first, so `Expect: 100-continue` is answered with `100 Continue` only
 * when the body will be read, and with the final 413/415 otherwise. A guard, not an
 * interceptor: an interceptor, global, would wrap every handler in an observable chain.
 * Metered routes read their body in their access step and take no `@Body()`.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly bodies: JsonBodyReader) {}

  // Not `async`: a route without a body (every metered route) gets a plain `true`, which Nest
  // takes without awaiting a promise.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http' || !takesBody(context)) return true;
    const handler = context.getHandler();
    if (
      Reflect.getMetadata(BODY_READ_BY_GUARD, handler) ??
      Reflect.getMetadata(BODY_READ_BY_GUARD, context.getClass())
    )
      return true;
    const http = context.switchToHttp();
    return this.bodies
      .read(http.getRequest<IncomingMessage>(), http.getResponse())
      .then(() => true);
  }
}
