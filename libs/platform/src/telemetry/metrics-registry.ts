import { Injectable } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process-wide Prometheus registry. Every lib registers its metrics here; the operations
 * lib exposes it at /metrics. One instance per application, so tests can boot several apps.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}
