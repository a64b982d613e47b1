import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/**
 * An AbortSignal that aborts when the client goes away before the response is complete, so
 * the use-case can cancel the provider call instead of paying for an answer nobody reads.
 */
export const ClientSignal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AbortSignal => {
    const response = ctx.switchToHttp().getResponse<{ raw?: ServerResponse }>();
    const res = response.raw ?? (response as ServerResponse);
    const controller = new AbortController();
    const abort = () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
    };
    // The client may have left while the guards ran: 'close' would not fire again.
    if (res.closed || res.destroyed) abort();
    else res.once('close', abort);
    return controller.signal;
  },
);
