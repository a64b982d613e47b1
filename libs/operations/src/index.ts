export { OperationsModule } from './operations.module.js';
export { readinessOptions } from './readiness/readiness.options.js';
