import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { finalize, map, type Observable } from 'rxjs';
import { accessContextOf } from './access-context.js';
import type { AccessLease } from './access-lease.js';
import { ACCESS_ROUTE, type AccessRoute } from './access-route.js';

/**
 * Settles a metered request when its answer is done (answered, failed or cancelled): the
 * tokens its result reports are charged, once, and its concurrency slot is released. A streamed
 * answer (an async iterable) is done when its last chunk was sent or its client went away; its
 * handler charges the tokens through `@Meter()`.
 */
@Injectable()
export class AccessInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const lease = accessContextOf(ctx.switchToHttp().getRequest<object>())?.lease;
    if (!lease) return next.handle();
    lease.intercepted = true;
    const route = this.reflector.getAllAndOverride<AccessRoute | undefined>(ACCESS_ROUTE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const tokensUsed = route?.tokensUsed;
    let streaming = false;
    return next.handle().pipe(
      map((result: unknown) => {
        if (isAsyncIterable(result)) {
          streaming = true;
          return settledAfter(result, lease);
        }
        const tokens = tokensUsed?.(result);
        if (tokens !== undefined) lease.charge(tokens);
        return result;
      }),
      finalize(() => {
        if (!streaming) void lease.settle();
      }),
    );
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** The stream, passed through; the lease settles when it ends, fails or is abandoned. */
async function* settledAfter<T>(stream: AsyncIterable<T>, lease: AccessLease): AsyncIterable<T> {
  try {
    yield* stream;
  } finally {
    void lease.settle();
  }
}
