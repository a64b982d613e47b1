import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { JsonBodyReader } from '@app/platform';
import { AccessMetrics, ANONYMOUS_CLIENT } from '../access.metrics.js';
import { CONFLICTING_KEYS, presentedKey, WWW_AUTHENTICATE } from '../auth/credentials.js';
import { admitBudget } from '../budgets/budget-admission.js';
import { appendBudgetHeaders } from '../budgets/budget-headers.js';
import { BudgetLedger } from '../budgets/budget-ledger.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { rateLimitHeaders, seconds, type PolicyName } from '../limits/rate-limit-headers.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { LoadShedder } from '../shedding/load-shedder.js';
import { setAccessContext, type AccessContext } from './access-context.js';
import { AccessLease } from './access-lease.js';
import { traceAccess } from './access-span.js';
import { conflictingKeys, overloaded, quotaExceeded, unauthorized } from './access-problem.js';
import { ACCESS_ROUTE, type AccessRoute } from './access-route.js';
import { nodeRequest, nodeResponse, remoteAddress, setHeaders } from './node-http.js';

/**
 * Who may call and how much, in this order: a valid key when keys are configured (401), then
 * on metered routes room on this replica (503) and the client's budgets (429); a body is read
 * only after the key was accepted. Headers go on
 * the response before the handler runs, so a streamed answer carries them too. Probes never
 * pass through here: only routes that declare `@Authenticated()` or `@Metered()` do.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeyRegistry,
    private readonly shedder: LoadShedder,
    private readonly limiter: RateLimiter,
    private readonly metrics: AccessMetrics,
    private readonly logger: PinoLogger,
    private readonly bodies: JsonBodyReader,
    private readonly budgets: BudgetLedger,
  ) {}

  canActivate(ctx: ExecutionContext): Promise<boolean> {
    return traceAccess(ctx.switchToHttp().getRequest<object>(), () => this.check(ctx));
  }

  private async check(ctx: ExecutionContext): Promise<boolean> {
    const route = this.reflector.getAllAndOverride<AccessRoute | undefined>(ACCESS_ROUTE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const http = ctx.switchToHttp();
    const request = http.getRequest<object & { body?: unknown }>();
    const req = nodeRequest(request);
    const res = nodeResponse(http.getResponse());
    const access = this.identify(req, res);
    setAccessContext(request, access);
    if (!route?.metered) return true;

    const release = this.shedder.tryAcquire();
    if (!release) {
      res.setHeader('Retry-After', '1');
      throw overloaded();
    }
    try {
      // The token reservation needs the body: read it now, after the key was checked.
      if (route.reserveTokens) await this.bodies.read(req, res);
      access.lease = await this.admit(access, route, request.body, res, release);
    } catch (error) {
      release();
      throw error;
    }
    const lease = access.lease;
    // Settles requests the interceptor never saw (e.g. a failure between guard and handler).
    res.once('close', () => {
      if (!lease.intercepted) void lease.settle();
    });
    return true;
  }

  private identify(req: IncomingMessage, res: ServerResponse): AccessContext {
    if (!this.keys.enabled) {
      return { clientId: null, partition: `ip:${remoteAddress(req)}`, label: ANONYMOUS_CLIENT };
    }
    const key = presentedKey(req.headers);
    if (key === CONFLICTING_KEYS) throw conflictingKeys();
    const client = key === undefined ? undefined : this.keys.authenticate(key);
    if (!client) {
      this.metrics.unauthorized.inc();
      res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw unauthorized();
    }
    this.assignLogFields(client.id, req);
    return { clientId: client.id, client, partition: `c:${client.id}`, label: client.id };
  }

  private async admit(
    access: AccessContext,
    route: AccessRoute,
    body: unknown,
    res: ServerResponse,
    release: () => void,
  ): Promise<AccessLease> {
    const limits = this.limiter.limitsFor(access.client);
    // [budgets] Token budgets (day, month, rolling) are decided before the minute's window.
    const reserve = route.reserveTokens ? safeCost(route.reserveTokens, body) : 0;
    const budget = await admitBudget(this.budgets, access, reserve, res, this.metrics);
    const cost = limits.tokens > 0 ? reserve : 0;
    const state = await this.limiter.admit(access.partition, limits, cost);
    if (state) setHeaders(res, rateLimitHeaders(limits, state));
    if (budget) appendBudgetHeaders(res, budget); // [budgets]
    if (state && !state.admitted) {
      if (budget?.reservation) void this.budgets.cancel(budget.reservation); // [budgets]
      const violated: PolicyName[] = [];
      if (state.requestsExceeded) violated.push('requests');
      if (state.tokensExceeded) violated.push('tokens');
      for (const policy of violated) this.metrics.rateLimited.inc({ client: access.label, policy });
      res.setHeader('Retry-After', String(Math.max(1, seconds(state.retryAfterMs))));
      throw quotaExceeded(violated);
    }
    this.metrics.requests.inc({ client: access.label });
    const reservation =
      state && limits.tokens > 0
        ? { partition: access.partition, second: state.second, reserved: state.charge }
        : undefined;
    const held = budget?.reservation; // [budgets] settled with the tokens used
    const settleBudget = held && ((tokens: number) => this.budgets.settle(held, tokens));
    return new AccessLease(
      release,
      access.label,
      this.metrics,
      this.limiter,
      reservation,
      settleBudget,
    );
  }

  /**
   * Log lines written while serving the request carry the client id (never the key); the
   * request log line may read it from `req.clientId`.
   */
  private assignLogFields(clientId: string, req: IncomingMessage): void {
    (req as IncomingMessage & { clientId?: string }).clientId = clientId;
    try {
      this.logger.assign({ clientId });
    } catch {
      // Outside a request's logging scope (e.g. a bare test module): nothing to annotate.
    }
  }
}

function safeCost(reserve: (body: unknown) => number, body: unknown): number {
  try {
    const cost = reserve(body);
    return Number.isFinite(cost) && cost > 0 ? cost : 0;
  } catch {
    return 0;
  }
}
