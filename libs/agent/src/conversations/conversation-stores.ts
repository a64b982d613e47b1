import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DependencyMonitor } from '@app/platform';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import type { AgentConfig } from '../agent.config.js';
import { InMemoryResponseStore } from '../openai/responses/in-memory-response-store.js';
import { RESPONSE_STORE } from '../openai/responses/response-store.js';
import { CONVERSATION_STORE } from './conversation-store.js';
import { InMemoryConversationStore } from './in-memory-conversation-store.js';

/**
 * The stores of conversations and of `/v1/responses`' responses: in PostgreSQL when the
 * composition root configured a database, else in process (bounded in bytes).
 */
export function conversationStores(config: AgentConfig, database: boolean): Provider[] {
  const responses = {
    maxEntries: config.responses.storeMaxEntries,
    maxBytes: config.responses.storeMaxBytes,
    ttlSeconds: config.responses.storeTtlSeconds,
  };
  const conversations = config.conversations;
  if (!database) {
    return [
      { provide: RESPONSE_STORE, useFactory: () => new InMemoryResponseStore(responses) },
      {
        provide: CONVERSATION_STORE,
        useFactory: () =>
          new InMemoryConversationStore({
            ttlSeconds: conversations.ttlSeconds,
            maxBytes: conversations.maxBytes,
            totalMaxBytes: conversations.totalMaxBytes,
          }),
      },
    ];
  }
  const inject = [DATA_SOURCE, DatabaseConnector, DependencyMonitor];
  // Loaded only with a database: TypeORM stays out of the embedded default.
  const access = async (
    what: string,
    ...args: [DataSource, DatabaseConnector, DependencyMonitor]
  ) => {
    const { PostgresAccess } = await import('./postgres/postgres-access.js');
    return new PostgresAccess(args[0], args[1], args[2], what);
  };
  return [
    {
      provide: RESPONSE_STORE,
      inject,
      useFactory: async (...args: [DataSource, DatabaseConnector, DependencyMonitor]) => {
        const { PostgresResponseStore } = await import('./postgres/postgres-response-store.js');
        return new PostgresResponseStore(await access('Stored responses', ...args), responses);
      },
    },
    {
      provide: CONVERSATION_STORE,
      inject,
      useFactory: async (...args: [DataSource, DatabaseConnector, DependencyMonitor]) => {
        const { PostgresConversationStore } =
          await import('./postgres/postgres-conversation-store.js');
        return new PostgresConversationStore(await access('Conversations', ...args), conversations);
      },
    },
  ];
}
