import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClientEntry } from '../keys/key-table.js';
import type { AccessLease } from './access-lease.js';

/** Who is calling, as established by the access guard. */
export interface AccessContext {
  /** The configured client id; null when the service runs without keys. */
  clientId: string | null;
  client?: ClientEntry;
  /** What the limits are counted per: the client, or the remote address without keys. */
  partition: string;
  /** The `client` label of metrics (bounded: configured ids or `anonymous`). */
  label: string;
  lease?: AccessLease;
}

const ACCESS_CONTEXT = Symbol('access-context');
type WithAccess = { [ACCESS_CONTEXT]?: AccessContext };

export function setAccessContext(request: object, context: AccessContext): void {
  (request as WithAccess)[ACCESS_CONTEXT] = context;
}

export function accessContextOf(request: object): AccessContext | undefined {
  return (request as WithAccess)[ACCESS_CONTEXT];
}

/**
 * The calling client's id (null when the service runs without keys), for routes behind
 * `@Authenticated()` or `@Metered()`.
 */
export const ClientId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | null =>
    accessContextOf(ctx.switchToHttp().getRequest<object>())?.clientId ?? null,
);
