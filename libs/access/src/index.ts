export { AccessModule, type AccessModuleOptions } from './access.module.js';
export { accessConfig } from './access.config.js';
export { AccessEnvironment, API_KEY_ENTRY } from './access.environment.js';
export {
  Authenticated,
  Metered,
  BEARER_SCHEME,
  HEADER_SCHEME,
  RATE_LIMIT_HEADERS,
} from './http/access.decorators.js';
export { ClientId } from './http/access-context.js';
export { AccessStep, type MeteredCall, type MeteredRoute } from './http/access-step.js';
export { RATE_LIMIT_HEADER_NAMES } from './limits/rate-limit-headers.js';
export { addAccessSecuritySchemes } from './http/openapi-security.js';
export { runApiKeyCommand } from './keys/api-key.command.js';
export { loadKeySchema } from './admin/keys.schema.js';
export { UsageReport } from './budgets/usage-report.js';
export { UsageQueryDto, UsageReportDto } from './budgets/usage-report.dto.js';
export { loadUsageSchema } from './budgets/postgres/usage.schema.js';
