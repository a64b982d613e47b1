import { type Counter, Gauge } from 'prom-client';
import { SeriesCounter, type MetricsRegistry } from '@app/platform';

/** The `client` label value of requests made without keys (the service is open). */
export const ANONYMOUS_CLIENT = 'anonymous';

/**
 * Access metrics. The `client` label takes only configured client ids (or `anonymous` when
 * the service is open), so its values are bounded by the configuration, never by traffic.
 */
export class AccessMetrics {
  readonly requests: Counter<'client'>;
  readonly tokens: Counter<'client'>;
  readonly rateLimited: Counter<'client' | 'policy'>;
  readonly unauthorized: Counter;
  readonly shed: Counter;
  readonly inFlight: Gauge;
  readonly failOpen: Counter;
  readonly keysConfigured: Gauge;
  readonly keyReloads: Counter<'result'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.requests = new SeriesCounter({
      name: 'access_requests_total',
      help: 'Requests admitted to metered routes (/query), by client id.',
      labelNames: ['client'],
      registers,
    });
    this.tokens = new SeriesCounter({
      name: 'access_tokens_total',
      help: 'Tokens charged (tokens_used of answered queries), by client id.',
      labelNames: ['client'],
      registers,
    });
    this.rateLimited = new SeriesCounter({
      name: 'access_rate_limited_total',
      help: 'Requests refused with 429, by client id and violated policy (requests, tokens, tokens-per-day, tokens-per-month, tokens-rolling).',
      labelNames: ['client', 'policy'],
      registers,
    });
    this.unauthorized = new SeriesCounter({
      name: 'access_unauthorized_total',
      help: 'Requests refused with 401 (no key or an unknown key).',
      registers,
    });
    this.shed = new SeriesCounter({
      name: 'access_shed_total',
      help: 'Requests refused with 503 because MAX_IN_FLIGHT requests were already running.',
      registers,
    });
    this.inFlight = new Gauge({
      name: 'access_in_flight_requests',
      help: 'Metered requests (/query) running on this replica.',
      registers,
    });
    this.failOpen = new SeriesCounter({
      name: 'access_rate_limit_fail_open_total',
      help: 'Requests admitted without a rate-limit or budget decision because Redis (or, seeding a budget, PostgreSQL) did not answer.',
      registers,
    });
    this.keysConfigured = new Gauge({
      name: 'access_api_keys',
      help: 'API keys currently configured.',
      registers,
    });
    this.keyReloads = new SeriesCounter({
      name: 'access_api_key_reloads_total',
      help: 'Reloads of API_KEYS_FILE, by result (applied or failed).',
      labelNames: ['result'],
      registers,
    });
  }
}
