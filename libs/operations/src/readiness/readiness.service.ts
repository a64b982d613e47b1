import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ShutdownState, type ReadinessCheck } from '@app/platform';
import type { DependencyDetailDto, DependencyState, ReadinessDto } from './readiness.dto.js';
import { READINESS_CHECKS, READINESS_OPTIONS, type ReadinessOptions } from './readiness.options.js';

/** Every dependency `/ready` reports, configured or not: clients rely on both keys. */
const REPORTED_DEPENDENCIES = ['database', 'cache'] as const;

/**
 * Readiness through Terminus: each configured dependency is pinged with a timeout; a required
 * one that is down makes the service unready, an optional one only degrades it.
 */
@Injectable()
export class ReadinessService {
  private readonly timeoutMs: number;
  private readonly lastStates = new Map<string, DependencyState>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(READINESS_OPTIONS) options: ReadinessOptions,
  ) {
    this.timeoutMs = options.timeoutMs;
  }

  /** Current readiness; the service is ready unless shutting down or a required dependency is down. */
  async evaluate(): Promise<ReadinessDto> {
    if (this.shutdown.isShuttingDown) return this.shuttingDown();

    const result = await this.runChecks();
    const details: Record<string, DependencyDetailDto> = {};
    for (const name of REPORTED_DEPENDENCIES) {
      details[name] = { status: 'not_configured', required: false };
    }
    for (const check of this.checks) {
      const entry = result.details[check.name] as Record<string, unknown> | undefined;
      const up = entry?.status === 'up';
      details[check.name] = {
        status: up ? 'up' : 'down',
        required: check.required,
        ...(typeof entry?.responseTime === 'number' ? { latency_ms: entry.responseTime } : {}),
        // A fixed reason only: driver messages name hosts; the logs have the details.
        ...(!up
          ? { error: /timeout/i.test(String(entry?.message)) ? 'timeout' : 'unavailable' }
          : {}),
        ...check.describe?.(),
      };
    }
    // Remembered for the shutting-down answer; state changes are logged by DependencyMonitor.
    for (const [name, detail] of Object.entries(details)) this.lastStates.set(name, detail.status);

    const requiredDown = this.checks.some((c) => c.required && details[c.name].status === 'down');
    const optionalDown = this.checks.some((c) => !c.required && details[c.name].status === 'down');
    return {
      ready: !requiredDown,
      status: requiredDown ? 'unavailable' : optionalDown ? 'degraded' : 'ok',
      checks: {
        database: details.database.status,
        cache: details.cache.status,
        api: 'responsive',
      },
      details,
    };
  }

  private async runChecks(): Promise<HealthCheckResult> {
    const indicators = this.checks.map(
      (check) => (): PromiseLike<HealthIndicatorResult> =>
        this.indicators
          .check(check.name)
          .attempt(({ signal }) => check.ping(signal))
          .withTimeout(this.timeoutMs),
    );
    try {
      return await this.health.check(indicators);
    } catch (error) {
      // Terminus throws 503 carrying the full result when any indicator is down.
      if (error instanceof ServiceUnavailableException) {
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }

  private shuttingDown(): ReadinessDto {
    const checks = Object.fromEntries(
      REPORTED_DEPENDENCIES.map((name) => [name, this.lastStates.get(name) ?? 'not_configured']),
    ) as Record<(typeof REPORTED_DEPENDENCIES)[number], DependencyState>;
    return {
      ready: false,
      status: 'shutting_down',
      checks: { ...checks, api: 'shutting_down' },
      details: {},
    };
  }
}
