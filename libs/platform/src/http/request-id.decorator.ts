import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The request id assigned by the request logger (from `X-Request-Id` or generated). */
export const RequestId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | null => {
    const id = ctx.switchToHttp().getRequest<{ id?: unknown }>().id;
    return typeof id === 'string' ? id : null;
  },
);
