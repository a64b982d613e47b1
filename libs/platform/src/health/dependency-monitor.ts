import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';

/**
 * The one name of each optional dependency, used alike in logs, in `dependency_up` and in
 * `/ready`. Redis is `cache`: the name readiness clients already read in `checks.cache`.
 */
export type DependencyName = 'database' | 'cache';

/**
 * Tracks whether each optional dependency is reachable, as seen by whoever last used it.
 * Logs one line per state change (never one per request) and exports `dependency_up`.
 */
@Injectable()
export class DependencyMonitor {
  private readonly states = new Map<DependencyName, boolean>();
  private readonly gauge: Gauge<'dependency'>;

  constructor(
    registry: MetricsRegistry,
    @InjectPinoLogger('dependencies') private readonly logger: PinoLogger,
  ) {
    this.gauge = new Gauge({
      name: 'dependency_up',
      help: 'Whether a configured dependency answered its last use or check (1) or not (0).',
      labelNames: ['dependency'],
      registers: [registry],
    });
  }

  /** Records the outcome of a use of `dependency`; logs only when the state flips. */
  report(dependency: DependencyName, up: boolean, error?: unknown): void {
    const previous = this.states.get(dependency);
    this.states.set(dependency, up);
    this.gauge.set({ dependency }, up ? 1 : 0);
    if (previous === up) return;
    if (up) {
      if (previous !== undefined) this.logger.info({ dependency }, 'dependency recovered');
    } else {
      this.logger.warn({ dependency, reason: describe(error) }, 'dependency unavailable');
    }
  }
}

// Error messages of network clients name hosts and ports, never request content.
function describe(error: unknown): string | undefined {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return typeof error === 'string' ? error.slice(0, 200) : undefined;
}
