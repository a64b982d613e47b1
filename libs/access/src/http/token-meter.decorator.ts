import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { accessContextOf } from './access-context.js';

/** Where a metered handler reports the tokens a streamed answer used, once it knows them. */
export interface TokenMeter {
  charge(tokens: number): void;
}

const UNMETERED: TokenMeter = { charge: () => undefined };

/**
 * The token meter of a `@Metered()` route. A streamed answer's tokens are known only at its
 * end, after the handler has returned the stream: the handler charges them here, and the
 * request settles (slot released, reservation replaced by what was charged) when the stream ends.
 */
export const Meter = createParamDecorator((_data: unknown, ctx: ExecutionContext): TokenMeter => {
  const lease = accessContextOf(ctx.switchToHttp().getRequest<object>())?.lease;
  return lease ? { charge: (tokens) => lease.charge(tokens) } : UNMETERED;
});
