export { AgentModule } from './agent.module.js';
export { loadHistorySchema } from './history/history.schema.js';
