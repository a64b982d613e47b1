export { OperationsModule } from './operations.module.js';
export type { OperationsModuleOptions } from './operations.module.js';
export { MetricsService } from './metrics/metrics.service.js';
