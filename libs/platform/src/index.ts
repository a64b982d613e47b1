export { Environment, type CacheScope } from './config/environment.js';
export {
  ConfigValidationError,
  loadEnvironment,
  type EnvironmentSlice,
} from './config/load-environment.js';
// For the libs' own environment slices.
export { BYTES_MESSAGE, toBool, toBytes, toInt, toList } from './config/transforms.js';
export { PlatformModule } from './platform.module.js';
export { ShutdownState } from './lifecycle/shutdown-state.js';
export { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
export { listen } from './lifecycle/listen.js';
export { ProblemException } from './http/problem.js';
export { routeOf } from './logging/log-fields.js';
export { ProblemDetailsDto } from './http/problem-details.dto.js';
export { MetricsRegistry } from './telemetry/metrics-registry.js';
export { DependencyMonitor } from './health/dependency-monitor.js';
export type { ReadinessCheck } from './health/readiness-check.js';
export { RequestId } from './http/request-id.decorator.js';
export type { ResponseControls } from './http/response-controls.js';
export { ApiProblemResponses } from './openapi/api-problem-responses.decorator.js';
export type { ProblemResponse } from './openapi/api-problem-responses.decorator.js';
export { completeOpenApiDocument } from './openapi/complete-openapi-document.js';
export { BodyReadByGuard, JsonBodyReader, takesBody } from './http/json-body.guard.js';
export { DtoValidator } from './http/validation.js';
export { PageLimitDto } from './http/page-limit.dto.js';
export { elapsedMs, RequestEvents, type FinishedListener } from './http/request-context.js';
export { closeAfterResponse } from './http/lingering-close.js';
export { rawResponse } from './http/problem-details.filter.js';
export { allowedMethods } from './http/allowed-methods.js';
export { replayedHeaders } from './http/replayed-headers.js';
export { ServiceExpressAdapter } from './http/service-express-adapter.js';
export { SeriesCounter, SeriesHistogram } from './telemetry/series-metrics.js';
