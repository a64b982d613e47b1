import { Injectable, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { DtoValidator, JsonBodyReader } from '@app/platform';
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
import { conflictingKeys, overloaded, quotaExceeded, unauthorized } from './access-problem.js';
import { traceAccess } from './access-span.js';
import { nodeRequest, nodeResponse, remoteAddress, setHeaders } from './node-http.js';

/** What a metered route declares: its body's DTO and what to reserve for it at admission. */
export interface MeteredRoute<TBody extends object> {
  /** The class-validator DTO the body must satisfy (validated once, here). */
  body: Type<TBody>;
  /**
   * Tokens to reserve at admission, from the validated body; replaced by what the answer
   * charged once it is done. Cheap estimates only: the reservation is short-lived.
   */
  reserveTokens(body: TBody): number;
}

/** An admitted request, as its handler sees it. */
export interface MeteredCall<TBody> {
  readonly body: TBody;
  /** The configured client id; null when the service runs without keys. */
  readonly clientId: string | null;
  /** Aborted when the client goes away before its answer is complete. */
  readonly signal: AbortSignal;
  /** Tokens the answer used; a stream may charge as it goes. */
  readonly charge: (tokens: number) => void;
}

/**
 * The one access step of a metered route (`/query`, `/v1/*`), called by its handler: who is
 * calling (401), room on this replica (503), the body read and validated once (413/415/400),
 * the client's token budgets (day, month, rolling) and per-minute limits (429), then the handler; the request settles once its response is over
 * (slot released, reservation replaced by the tokens charged), answered, failed or abandoned.
 * Headers go on the response before the handler runs, so a streamed answer carries them too.
 */
@Injectable()
export class AccessStep {
  constructor(
    private readonly keys: KeyRegistry,
    private readonly shedder: LoadShedder,
    private readonly limiter: RateLimiter,
    private readonly metrics: AccessMetrics,
    private readonly logger: PinoLogger,
    private readonly bodies: JsonBodyReader,
    private readonly validator: DtoValidator,
    private readonly budgets: BudgetLedger,
  ) {}

  async run<TBody extends object, TAnswer>(
    request: object,
    response: object,
    route: MeteredRoute<TBody>,
    handle: (call: MeteredCall<TBody>) => Promise<TAnswer>,
  ): Promise<TAnswer> {
    const req = nodeRequest(request);
    const res = nodeResponse(response);
    const { access, body, lease } = await traceAccess(request, () =>
      this.admit(request, req, res, route),
    );
    // One listener ends both: the handler's upstream call when the client leaves early, and
    // the lease when the response is over (a stream's included).
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
      void lease.settle();
    };
    if (res.closed || res.destroyed) onClose();
    else res.once('close', onClose);
    const call: MeteredCall<TBody> = {
      body,
      clientId: access.clientId,
      signal: controller.signal,
      charge: (tokens) => lease.charge(tokens),
    };
    try {
      return await handle(call);
    } catch (error) {
      void lease.settle();
      throw error;
    }
  }

  /** Who is calling: the client of a valid key, or the remote address when keys are off (401). */
  identify(req: IncomingMessage, res: ServerResponse): AccessContext {
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

  private async admit<TBody extends object>(
    request: object,
    req: IncomingMessage,
    res: ServerResponse,
    route: MeteredRoute<TBody>,
  ): Promise<{ access: AccessContext; body: TBody; lease: AccessLease }> {
    const access = this.identify(req, res);
    setAccessContext(request, access);
    const release = this.shedder.tryAcquire();
    if (!release) {
      res.setHeader('Retry-After', '1');
      throw overloaded();
    }
    try {
      await this.bodies.read(req, res);
      const body = await this.validator.validate(route.body, (req as { body?: unknown }).body);
      const lease = await this.reserve(access, route, body, res, release);
      access.lease = lease;
      return { access, body, lease };
    } catch (error) {
      release();
      throw error;
    }
  }

  private async reserve<TBody extends object>(
    access: AccessContext,
    route: MeteredRoute<TBody>,
    body: TBody,
    res: ServerResponse,
    release: () => void,
  ): Promise<AccessLease> {
    const limits = this.limiter.limitsFor(access.client);
    // The estimate (chat messages serialized, say) is made only when a limit will weigh it.
    const weighed =
      limits.tokens > 0 || (access.clientId !== null && this.budgets.limits(access.client));
    const reserve = weighed ? safeCost(route.reserveTokens(body)) : 0;
    // Token budgets (day, month, rolling) are decided before the minute's window.
    const budget = await admitBudget(this.budgets, access, reserve, res, this.metrics);
    const state = await this.limiter.admit(
      access.partition,
      limits,
      limits.tokens > 0 ? reserve : 0,
    );
    if (state) setHeaders(res, rateLimitHeaders(limits, state));
    if (budget) appendBudgetHeaders(res, budget);
    if (state && !state.admitted) {
      if (budget?.reservation) void this.budgets.cancel(budget.reservation);
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
    const held = budget?.reservation;
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
   * request log line reads it from `req.clientId`.
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

function safeCost(cost: number): number {
  return Number.isFinite(cost) && cost > 0 ? cost : 0;
}
