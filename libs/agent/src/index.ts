export { AgentModule } from './agent.module.js';
export { agentConfig } from './agent.config.js';
export { AgentEnvironment, LLM_PROVIDERS, type LlmProviderName } from './agent.environment.js';
export { loadAgentSchema } from './agent.schema.js';
export { loadHistorySchema } from './history/history.schema.js';
export { PROVIDER_READINESS } from './providers/provider-readiness.js';
export { messageCapture } from './telemetry/message-capture.config.js';
