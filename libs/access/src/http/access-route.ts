/** How a route is metered; read by the access guard and interceptor. */
export interface MeteredOptions<TResult = unknown> {
  /**
   * Tokens to reserve at admission, from the request body as parsed (not yet validated:
   * it must accept anything). Reconciled with {@link tokensUsed} once the request is done.
   */
  reserveTokens?: (body: unknown) => number;
  /** Tokens the answer actually used, read from the handler's result (or each emitted chunk). */
  tokensUsed?: (result: TResult) => number | undefined;
}

export interface AccessRoute extends MeteredOptions {
  /** Metered routes are shed beyond MAX_IN_FLIGHT and count against the rate limits. */
  metered: boolean;
}

export const ACCESS_ROUTE = Symbol('access-route');
