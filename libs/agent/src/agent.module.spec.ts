import { describe, expect, it, jest } from '@jest/globals';
import type { DynamicModule, FactoryProvider, Provider, ValueProvider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DependencyMonitor, MetricsRegistry } from '@app/platform';
import { DATA_SOURCE, DatabaseConnector } from '@app/platform/database';
import { REDIS_CLIENT } from '@app/platform/redis';
import type { AgentConfig } from './agent.config.js';
import { AgentModule } from './agent.module.js';
import { InMemoryResponseCache } from './cache/in-memory-response-cache.js';
import { RedisResponseCache } from './cache/redis-response-cache.js';
import { RESPONSE_CACHE, type ResponseCache } from './cache/response-cache.js';
import { HistoryController } from './history/history.controller.js';
import { InMemoryQueryHistory } from './history/in-memory-query-history.js';
import { PostgresQueryHistory } from './history/postgres/postgres-query-history.js';
import { QUERY_HISTORY } from './history/query-history.js';
import type { QueryRecord } from './history/query-record.js';
import { ChatCompletionsController } from './openai/chat-completions.controller.js';
import { ModelsController } from './openai/models.controller.js';
import { UnknownRouteController } from './openai/unknown-route.controller.js';
import { ResponsesController } from './openai/responses/responses.controller.js';
import { StoredResponsesController } from './openai/responses/stored-responses.controller.js';
import { UsageController } from './openai/usage.controller.js';
import { ConversationsController } from './openai/conversations/conversations.controller.js';
import { ConversationItemsController } from './openai/conversations/conversation-items.controller.js';
import { LLM_PROVIDER } from './providers/llm-provider.js';
import type { ProviderChain } from './providers/provider-chain.js';
import { ProviderMetrics } from './providers/provider-metrics.js';
import { PROVIDER_READINESS } from './providers/provider-readiness.js';
import { QueryController } from './query/query.controller.js';
import { QUERY_POLICY } from './query/query.service.js';
import { SseStreams } from './streaming/sse-streams.js';
import { TokenCounter } from './tokens/token-counter.js';
import { GenAiMetrics } from './telemetry/gen-ai-metrics.js';

const config = (
  overrides: {
    ttlSeconds?: number;
    storeText?: boolean;
    keepAliveMs?: number;
    cacheScope?: 'client' | 'shared';
  } = {},
): AgentConfig => ({
  provider: {
    name: 'builtin',
    baseUrl: 'https://api.openai.com/v1',
    apiKey: undefined,
    model: undefined,
    maxCompletionTokens: 4096,
    timeoutMs: 1_000,
    maxRetries: 0,
    builtinLatencyMs: 0,
    fallbacks: ['builtin'],
    breakerThreshold: 3,
    breakerCooldownMs: 1_000,
    maxAnswerBytes: 4 * 1024 ** 2,
    maxEventBytes: 256 * 1024,
  },
  responses: {
    contextMaxBytes: 1024,
    storeMaxEntries: 10,
    storeMaxBytes: 65536,
    storeTtlSeconds: 60,
  },
  conversations: { ttlSeconds: 60, maxBytes: 65536, totalMaxBytes: 1024 ** 2 },
  streamKeepAliveMs: overrides.keepAliveMs ?? 15_000,
  streamStallTimeoutMs: 30_000,
  cache: {
    scope: overrides.cacheScope ?? 'client',
    ttlSeconds: overrides.ttlSeconds ?? 60,
    maxEntries: 2,
    maxBytes: 1024 ** 2,
  },
  history: {
    storeText: overrides.storeText ?? true,
    bufferMaxRecords: 3,
    bufferMaxBytes: 1024 ** 2,
    memoryMaxRecords: 2,
    memoryMaxBytes: 1024 ** 2,
  },
});

function providerOf(module: DynamicModule, token: unknown): Provider {
  const found = (module.providers ?? []).find(
    (p) => typeof p === 'object' && 'provide' in p && p.provide === token,
  );
  if (!found) throw new Error(`no provider for ${String(token)}`);
  return found;
}
const factoryOf = (module: DynamicModule, token: unknown) =>
  providerOf(module, token) as FactoryProvider;
const logger = () => ({
  setContext: jest.fn(),
  warn: jest.fn(),
  info: jest.fn(),
  error: jest.fn(),
});
const record = (n: number): QueryRecord =>
  ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    createdAt: new Date(n),
    clientId: null,
    model: 'm',
    provider: 'p',
    prompt: null,
    response: null,
    requestId: null,
  }) as unknown as QueryRecord;

describe('AgentModule.forRoot', () => {
  it('serves the query, history and OpenAI controllers and exports the provider readiness', () => {
    const module = AgentModule.forRoot({ config: config() });
    expect(module.module).toBe(AgentModule);
    expect(module.controllers).toEqual([
      QueryController,
      HistoryController,
      ChatCompletionsController,
      ModelsController,
      ResponsesController,
      StoredResponsesController,
      UsageController,
      ConversationsController,
      ConversationItemsController,
      UnknownRouteController,
    ]);
    expect(module.exports).toEqual([PROVIDER_READINESS]);
    expect(module.imports).toEqual([]);
  });

  it('imports the database and Redis modules it is given', () => {
    const database = { module: class Database {} };
    const redis = { module: class RedisModule {} };
    expect(AgentModule.forRoot({ config: config(), database }).imports).toEqual([database]);
    expect(AgentModule.forRoot({ config: config(), database, redis }).imports).toEqual([
      database,
      redis,
    ]);
  });

  it('enables the cache for a positive TTL and passes the text policy on', () => {
    const policy = (overrides: Parameters<typeof config>[0]) =>
      (
        providerOf(
          AgentModule.forRoot({ config: config(overrides) }),
          QUERY_POLICY,
        ) as ValueProvider
      ).useValue as unknown;
    expect(policy({ ttlSeconds: 1, storeText: true })).toEqual({
      cacheEnabled: true,
      cacheShared: false,
      storeText: true,
    });
    expect(policy({ ttlSeconds: 0, storeText: false, cacheScope: 'shared' })).toEqual({
      cacheEnabled: false,
      cacheShared: true,
      storeText: false,
    });
  });

  it('keeps answers in process memory, within the configured bounds, without Redis', async () => {
    const factory = factoryOf(AgentModule.forRoot({ config: config() }), RESPONSE_CACHE);
    const cache = factory.useFactory() as ResponseCache;
    expect(cache).toBeInstanceOf(InMemoryResponseCache);
    const answer = { text: 'a', model: 'm', promptTokens: 1, completionTokens: 1 };
    for (const key of ['k1', 'k2', 'k3']) await cache.set(key, answer);
    // maxEntries is 2: the oldest went.
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.get('k3')).toEqual(answer);
  });

  it('caches answers in Redis with the configured TTL when Redis is configured', async () => {
    const redis = { module: class RedisModule {} };
    const factory = factoryOf(
      AgentModule.forRoot({ config: config({ ttlSeconds: 42 }), redis }),
      RESPONSE_CACHE,
    );
    const calls: unknown[][] = [];
    const client = {
      set: (...args: unknown[]) => (calls.push(args), Promise.resolve('OK')),
    } as unknown as Redis;
    const monitor = { report: () => undefined } as unknown as DependencyMonitor;
    const cache = factory.useFactory(client, monitor, new MetricsRegistry()) as ResponseCache;
    expect(cache).toBeInstanceOf(RedisResponseCache);
    await cache.set('k', { text: 'a', model: 'm', promptTokens: 1, completionTokens: 1 });
    expect(calls[0]?.slice(2)).toEqual(['EX', 42]);
  });

  it('keeps the history in process memory, within the configured bounds, without a database', async () => {
    const factory = factoryOf(AgentModule.forRoot({ config: config() }), QUERY_HISTORY);
    const history = factory.useFactory() as InMemoryQueryHistory;
    expect(history).toBeInstanceOf(InMemoryQueryHistory);
    for (const n of [1, 2, 3]) history.record(record(n));
    // memoryMaxRecords is 2.
    expect((await history.list(10)).items.map((r) => r.id)).toEqual([record(3).id, record(2).id]);
  });

  it('keeps the history in PostgreSQL, behind a bounded buffer, when a database is configured', async () => {
    const database = { module: class Database {} };
    const factory = factoryOf(AgentModule.forRoot({ config: config(), database }), QUERY_HISTORY);
    const dataSource = { getRepository: () => ({}) } as unknown as DataSource;
    const connector = { isUsable: false } as DatabaseConnector;
    const monitor = { report: () => undefined } as unknown as DependencyMonitor;
    const log = logger();
    const history = (await factory.useFactory(
      dataSource,
      connector,
      monitor,
      new MetricsRegistry(),
      log,
    )) as PostgresQueryHistory;
    expect(history).toBeInstanceOf(PostgresQueryHistory);
    expect(log.setContext).toHaveBeenCalledWith('history');
    // bufferMaxRecords is 3: the fourth record pushes the first out of the buffer.
    for (const n of [1, 2, 3, 4]) history.record(record(n));
    expect(await history.get(record(1).id).catch(() => 'asked the database')).toBe(
      'asked the database',
    );
    expect((await history.get(record(4).id))?.id).toBe(record(4).id);
    await history.beforeApplicationShutdown();
  });

  it('builds the provider chain from the configuration, its metrics and its readiness', () => {
    const module = AgentModule.forRoot({ config: config() });
    const registry = new MetricsRegistry();
    const metrics = factoryOf(module, ProviderMetrics).useFactory(registry) as ProviderMetrics;
    expect(metrics).toBeInstanceOf(ProviderMetrics);
    const log = logger();
    const tokens = { count: () => Promise.resolve(1) } as unknown as TokenCounter;
    const chain = factoryOf(module, LLM_PROVIDER).useFactory(tokens, metrics, log) as ProviderChain;
    expect(log.setContext).toHaveBeenCalledWith('providers');
    expect(chain.members.map((m) => m.name)).toEqual(['builtin', 'builtin']);
    const checks = factoryOf(module, PROVIDER_READINESS).useFactory(chain) as { name: string }[];
    expect(checks.map((c) => c.name)).toEqual(['llm:builtin', 'llm:builtin']);
  });

  it('injects what each factory takes, in the order it takes it', () => {
    const embedded = AgentModule.forRoot({ config: config() });
    const connected = AgentModule.forRoot({
      config: config(),
      database: { module: class Database {} },
      redis: { module: class RedisModule {} },
    });
    expect(factoryOf(embedded, ProviderMetrics).inject).toEqual([MetricsRegistry]);
    expect(factoryOf(embedded, LLM_PROVIDER).inject).toEqual([
      TokenCounter,
      ProviderMetrics,
      PinoLogger,
      GenAiMetrics,
    ]);
    expect(factoryOf(embedded, GenAiMetrics).inject).toEqual([MetricsRegistry]);
    expect(factoryOf(embedded, PROVIDER_READINESS).inject).toEqual([LLM_PROVIDER]);
    expect(factoryOf(embedded, SseStreams).inject).toEqual([MetricsRegistry, PinoLogger]);
    expect(factoryOf(embedded, RESPONSE_CACHE).inject).toBeUndefined();
    expect(factoryOf(embedded, QUERY_HISTORY).inject).toBeUndefined();
    expect(factoryOf(connected, RESPONSE_CACHE).inject).toEqual([
      REDIS_CLIENT,
      DependencyMonitor,
      MetricsRegistry,
    ]);
    expect(factoryOf(connected, QUERY_HISTORY).inject).toEqual([
      DATA_SOURCE,
      DatabaseConnector,
      DependencyMonitor,
      MetricsRegistry,
      PinoLogger,
    ]);
  });

  it('streams with the configured keep-alive period', async () => {
    const module = AgentModule.forRoot({ config: config({ keepAliveMs: 30 }) });
    const log = logger();
    const streams = factoryOf(module, SseStreams).useFactory(
      new MetricsRegistry(),
      log,
    ) as SseStreams;
    expect(log.setContext).toHaveBeenCalledWith('stream');
    async function* slow() {
      await new Promise((resolve) => setTimeout(resolve, 200));
      yield 'x';
    }
    let text = '';
    for await (const piece of streams.body(slow(), { frame: (x) => x, fail: () => '' })) {
      text += piece;
    }
    expect(text).toContain(': keep-alive');
  });
});
