export { AgentModule } from './agent.module.js';
export { QueryService } from './query.service.js';
export type { QueryInput, QueryResult } from './query.service.js';
export { LLM_PROVIDER } from './providers/llm-provider.js';
export type { Completion, CompletionRequest, LlmProvider } from './providers/llm-provider.js';
export { loadHistorySchema } from './history/history.schema.js';
