import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DependencyMonitor, MetricsRegistry, type Environment } from '@app/platform';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import { REDIS_CLIENT } from '@app/platform/redis';
import { InMemoryResponseCache } from './cache/in-memory-response-cache.js';
import { RedisResponseCache } from './cache/redis-response-cache.js';
import { RESPONSE_CACHE } from './cache/response-cache.js';
import { InMemoryQueryHistory } from './history/in-memory-query-history.js';
import { QUERY_HISTORY } from './history/query-history.js';
import { LLM_PROVIDER } from './providers/llm-provider.js';
import type { ProviderChain } from './providers/provider-chain.js';
import { createProviderChain } from './providers/provider-chain.factory.js';
import { ProviderMetrics } from './providers/provider-metrics.js';
import { PROVIDER_READINESS, providerReadiness } from './providers/provider-readiness.js';
import { SseStreams } from './streaming/sse-streams.js';
import { HistoryController } from './history/history.controller.js';
import { QueryController } from './query/query.controller.js';
import { QUERY_POLICY, QueryService, type QueryPolicy } from './query/query.service.js';
import { TokenCounter } from './tokens/token-counter.js';

/**
 * The agent: `POST /query`, the history endpoints, and the provider, cache and history store
 * chosen once from the environment (PostgreSQL/Redis when configured, in-memory otherwise).
 */
@Module({})
export class AgentModule {
  static forRoot(env: Environment): DynamicModule {
    const policy: QueryPolicy = {
      cacheEnabled: env.CACHE_TTL_SECONDS > 0,
      storeText: env.HISTORY_STORE_TEXT,
    };
    return {
      module: AgentModule,
      // Global only for what it exports: the providers' readiness checks for /ready.
      global: true,
      controllers: [QueryController, HistoryController],
      providers: [
        TokenCounter,
        QueryService,
        { provide: QUERY_POLICY, useValue: policy },
        ...llmProviders(env),
        responseCache(env),
        queryHistory(env),
      ],
      exports: [PROVIDER_READINESS],
    };
  }
}

/** The provider chain (configured provider, then LLM_FALLBACKS), its metrics and readiness. */
function llmProviders(env: Environment): Provider[] {
  return [
    {
      provide: ProviderMetrics,
      inject: [MetricsRegistry],
      useFactory: (registry: MetricsRegistry) => new ProviderMetrics(registry),
    },
    {
      provide: LLM_PROVIDER,
      inject: [TokenCounter, ProviderMetrics, PinoLogger],
      useFactory: (tokens: TokenCounter, metrics: ProviderMetrics, logger: PinoLogger) => {
        logger.setContext('providers');
        return createProviderChain(env, tokens, metrics, logger);
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
        return new SseStreams(registry, env.STREAM_KEEPALIVE_MS, logger);
      },
    },
  ];
}

function responseCache(env: Environment): Provider {
  if (!env.REDIS_URL) {
    return {
      provide: RESPONSE_CACHE,
      useFactory: () => new InMemoryResponseCache(env.CACHE_MAX_ENTRIES, env.CACHE_TTL_SECONDS),
    };
  }
  return {
    provide: RESPONSE_CACHE,
    inject: [REDIS_CLIENT, DependencyMonitor, MetricsRegistry],
    useFactory: (client: Redis, monitor: DependencyMonitor, registry: MetricsRegistry) =>
      new RedisResponseCache(client, env.CACHE_TTL_SECONDS, monitor, registry),
  };
}

function queryHistory(env: Environment): Provider {
  if (!env.DATABASE_URL) {
    return {
      provide: QUERY_HISTORY,
      useFactory: () => new InMemoryQueryHistory(env.HISTORY_MEMORY_LIMIT),
    };
  }
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
      return new PostgresQueryHistory(
        dataSource,
        connector,
        monitor,
        registry,
        logger,
        env.HISTORY_BUFFER_SIZE,
      );
    },
  };
}
