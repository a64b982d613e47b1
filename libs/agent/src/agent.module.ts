import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor, MetricsRegistry } from '@app/platform';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import { REDIS_CLIENT } from '@app/platform/redis';
import type { AgentConfig } from './agent.config.js';
import { InMemoryResponseCache } from './cache/in-memory-response-cache.js';
import { RedisResponseCache } from './cache/redis-response-cache.js';
import { RESPONSE_CACHE } from './cache/response-cache.js';
import { HistoryController } from './history/history.controller.js';
import { InMemoryQueryHistory } from './history/in-memory-query-history.js';
import { QUERY_HISTORY } from './history/query-history.js';
import { LLM_PROVIDER } from './providers/llm-provider.js';
import type { ProviderChain } from './providers/provider-chain.js';
import { createProviderChain } from './providers/provider-chain.factory.js';
import { ProviderMetrics } from './providers/provider-metrics.js';
import { PROVIDER_READINESS, providerReadiness } from './providers/provider-readiness.js';
import { SseStreams } from './streaming/sse-streams.js';
import { ChatCompletionsController } from './openai/chat-completions.controller.js';
import { ModelsController } from './openai/models.controller.js';
import { ResponsesController } from './openai/responses/responses.controller.js';
import { ResponseTurns } from './openai/responses/response-turns.service.js';
import { ConversationItemsController } from './openai/conversations/conversation-items.controller.js';
import { ConversationsController } from './openai/conversations/conversations.controller.js';
import { QueryConversations } from './query/query-conversations.js';
import { conversationStores } from './conversations/conversation-stores.js';
import { StoredResponsesController } from './openai/responses/stored-responses.controller.js';
import { UnknownRouteController } from './openai/unknown-route.controller.js';
import { UsageController } from './openai/usage.controller.js';
import { OPENAI_SETTINGS, type OpenAiSettings } from './openai/openai-settings.js';
import { QueryController } from './query/query.controller.js';
import { QUERY_POLICY, QueryService, type QueryPolicy } from './query/query.service.js';
import { TokenCounter } from './tokens/token-counter.js';
import { GenAiMetrics } from './telemetry/gen-ai-metrics.js';
import { MeasuredQueryService } from './telemetry/measured-query.service.js';
import { NO_CAPTURE, type MessageCapture } from './telemetry/message-capture.js';
import { traceQueryHistory } from './telemetry/traced-query-history.js';
import { traceResponseCache } from './telemetry/traced-response-cache.js';
import { tracedProviders } from './telemetry/traced-provider.js';

export interface AgentModuleOptions {
  config: AgentConfig;
  /** The database module when PostgreSQL is configured: the history is kept there. */
  database?: DynamicModule;
  /** The Redis module when Redis is configured: answers are cached there. */
  redis?: DynamicModule;
  /** Whether GenAI spans carry prompts and answers; off by default. */
  capture?: MessageCapture;
}

/**
 * The agent: `POST /query`, the history endpoints, the provider, and a cache and history store
 * that follow what the composition root configured (PostgreSQL/Redis, else in-memory).
 */
@Module({})
export class AgentModule {
  static forRoot({ config, database, redis, capture }: AgentModuleOptions): DynamicModule {
    const policy: QueryPolicy = {
      cacheEnabled: config.cache.ttlSeconds > 0,
      cacheShared: config.cache.scope === 'shared',
      storeText: config.history.storeText,
    };
    return {
      module: AgentModule,
      imports: [database, redis].filter((m): m is DynamicModule => m !== undefined),
      controllers: [
        QueryController,
        HistoryController,
        ChatCompletionsController,
        ModelsController,
        ResponsesController,
        StoredResponsesController,
        UsageController,
        ConversationsController,
        ConversationItemsController,
        // Last: it takes every /v1 request no route above took.
        UnknownRouteController,
      ],
      providers: [
        TokenCounter,
        // The use-case, measured as a GenAI server (gen_ai.server.* metrics).
        { provide: QueryService, useClass: MeasuredQueryService },
        { provide: QUERY_POLICY, useValue: policy },
        {
          provide: OPENAI_SETTINGS,
          useValue: {
            maxCompletionTokens: config.provider.maxCompletionTokens,
            contextMaxBytes: config.responses.contextMaxBytes,
            conversationMaxBytes: config.conversations.maxBytes,
          } satisfies OpenAiSettings,
        },
        ResponseTurns,
        QueryConversations,
        ...conversationStores(config, database !== undefined),
        ...llmProviders(config, capture ?? NO_CAPTURE),
        redis ? redisCache(config.cache) : inMemoryCache(config.cache),
        database ? postgresHistory(config.history) : inMemoryHistory(config.history),
      ],
      // For /ready, which imports this module to report the providers.
      exports: [PROVIDER_READINESS],
    };
  }
}

/** The provider chain (configured provider, then LLM_FALLBACKS), its metrics and readiness. */
function llmProviders(config: AgentConfig, capture: MessageCapture): Provider[] {
  return [
    {
      provide: GenAiMetrics,
      inject: [MetricsRegistry],
      useFactory: (registry: MetricsRegistry) => new GenAiMetrics(registry),
    },
    {
      provide: ProviderMetrics,
      inject: [MetricsRegistry],
      useFactory: (registry: MetricsRegistry) => new ProviderMetrics(registry),
    },
    {
      provide: LLM_PROVIDER,
      inject: [TokenCounter, ProviderMetrics, PinoLogger, GenAiMetrics],
      useFactory: (
        tokens: TokenCounter,
        metrics: ProviderMetrics,
        logger: PinoLogger,
        genAi: GenAiMetrics,
      ) => {
        logger.setContext('providers');
        const traced = tracedProviders(genAi, capture);
        return createProviderChain(config.provider, tokens, metrics, logger, traced);
      },
    },
    {
      provide: PROVIDER_READINESS,
      inject: [LLM_PROVIDER],
      useFactory: (chain: ProviderChain) => providerReadiness(chain),
    },
    {
      provide: SseStreams,
      inject: [MetricsRegistry, PinoLogger],
      useFactory: (registry: MetricsRegistry, logger: PinoLogger) => {
        logger.setContext('stream');
        return new SseStreams(
          registry,
          config.streamKeepAliveMs,
          logger,
          config.streamStallTimeoutMs,
        );
      },
    },
  ];
}

function inMemoryCache(cache: AgentConfig['cache']): Provider {
  return {
    provide: RESPONSE_CACHE,
    useFactory: () =>
      traceResponseCache(
        new InMemoryResponseCache({
          maxEntries: cache.maxEntries,
          maxBytes: cache.maxBytes,
          ttlSeconds: cache.ttlSeconds,
        }),
        'memory',
      ),
  };
}

function redisCache(cache: AgentConfig['cache']): Provider {
  return {
    provide: RESPONSE_CACHE,
    inject: [REDIS_CLIENT, DependencyMonitor, MetricsRegistry],
    useFactory: (client: Redis, monitor: DependencyMonitor, registry: MetricsRegistry) =>
      traceResponseCache(
        new RedisResponseCache(client, cache.ttlSeconds, monitor, registry),
        'redis',
      ),
  };
}

function inMemoryHistory(history: AgentConfig['history']): Provider {
  return {
    provide: QUERY_HISTORY,
    useFactory: () =>
      traceQueryHistory(
        new InMemoryQueryHistory({
          maxRecords: history.memoryMaxRecords,
          maxBytes: history.memoryMaxBytes,
        }),
        'memory',
      ),
  };
}

function postgresHistory(history: AgentConfig['history']): Provider {
  return {
    provide: QUERY_HISTORY,
    inject: [DATA_SOURCE, DatabaseConnector, DependencyMonitor, MetricsRegistry, PinoLogger],
    useFactory: async (
      dataSource: DataSource,
      connector: DatabaseConnector,
      monitor: DependencyMonitor,
      registry: MetricsRegistry,
      logger: PinoLogger,
    ) => {
      logger.setContext('history');
      // Loaded only with a database: TypeORM stays out of the embedded default.
      const { PostgresQueryHistory } = await import('./history/postgres/postgres-query-history.js');
      const store = new PostgresQueryHistory(dataSource, connector, monitor, registry, logger, {
        maxRecords: history.bufferMaxRecords,
        maxBytes: history.bufferMaxBytes,
      });
      return traceQueryHistory(store, 'postgresql');
    },
  };
}
