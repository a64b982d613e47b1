import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/**
 * An AbortSignal that fires when the client goes away before its response is complete, so the
 * upstream call it started stops too. Reads the Node.js response under either adapter (Express'
 * response is one; Fastify's reply holds it in `raw`): the one place that touches it.
 */
export const ClientSignal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AbortSignal => {
    const response = ctx.switchToHttp().getResponse<ServerResponse & { raw?: ServerResponse }>();
    const raw = response.raw ?? response;
    const controller = new AbortController();
    const abort = () => {
      if (!raw.writableFinished) controller.abort();
    };
    // The client may have left before this ran (e.g. while guards worked): no 'close' follows.
    if (raw.closed || raw.destroyed) abort();
    else raw.once('close', abort);
    return controller.signal;
  },
);
