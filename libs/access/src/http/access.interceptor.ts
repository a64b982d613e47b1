import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { finalize, tap, type Observable } from 'rxjs';
import { accessContextOf } from './access-context.js';
import { ACCESS_ROUTE, type AccessRoute } from './access-route.js';

/**
 * Settles a metered request when its handler is done (answered, failed or cancelled): the
 * tokens its result reports are charged, once, and its concurrency slot is released.
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
    return next.handle().pipe(
      tap((result: unknown) => {
        const tokens = tokensUsed?.(result);
        if (tokens !== undefined) lease.charge(tokens);
      }),
      finalize(() => void lease.settle()),
    );
  }
}
