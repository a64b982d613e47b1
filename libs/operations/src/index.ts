export { OperationsModule } from './operations.module.js';
export type { OperationsModuleOptions } from './operations.module.js';
export { MetricsService } from './metrics/metrics.service.js';
export { READINESS_CHECKS } from './readiness/readiness-check.js';
export type { ReadinessCheck } from './readiness/readiness-check.js';
