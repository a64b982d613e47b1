export { OperationsModule } from './operations.module.js';
export { readinessOptions } from './readiness/readiness.options.js';
export { startLivenessListener } from './health/liveness-listener.js';
