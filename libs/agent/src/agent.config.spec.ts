import { describe, expect, it } from '@jest/globals';
import { loadEnvironment } from '@app/platform';
import { agentConfig } from './agent.config.js';
import { AgentEnvironment } from './agent.environment.js';

describe('agentConfig', () => {
  it('maps each agent variable to its own setting', () => {
    const config = agentConfig(
      loadEnvironment(
        {
          LLM_PROVIDER: 'openai',
          LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
          LLM_MODEL: 'llama3',
          LLM_TIMEOUT_MS: '1234',
          LLM_MAX_RETRIES: '3',
          BUILTIN_LATENCY_MS: '5',
          LLM_FALLBACKS: 'http://127.0.0.1:8001/v1,builtin',
          LLM_BREAKER_THRESHOLD: '7',
          LLM_BREAKER_COOLDOWN_MS: '4321',
          LLM_MAX_ANSWER_BYTES: '1mb',
          LLM_MAX_EVENT_BYTES: '64kb',
          STREAM_KEEPALIVE_MS: '999',
          RESPONSES_CONTEXT_MAX_BYTES: '2kb',
          RESPONSES_STORE_MAX_ENTRIES: '5',
          RESPONSES_STORE_MAX_BYTES: '1mb',
          STREAM_STALL_TIMEOUT_MS: '888',
          CACHE_SCOPE: 'shared',
          CACHE_TTL_SECONDS: '60',
          CACHE_MAX_ENTRIES: '11',
          CACHE_MAX_BYTES: '2mb',
          HISTORY_STORE_TEXT: 'false',
          HISTORY_BUFFER_SIZE: '22',
          HISTORY_BUFFER_MAX_BYTES: '3mb',
          HISTORY_MEMORY_LIMIT: '33',
          HISTORY_MEMORY_MAX_BYTES: '4mb',
        },
        AgentEnvironment,
      ),
    );
    const mib = 1024 * 1024;
    expect(config).toEqual({
      provider: {
        name: 'openai',
        baseUrl: 'http://127.0.0.1:11434/v1',
        apiKey: undefined,
        model: 'llama3',
        timeoutMs: 1234,
        maxRetries: 3,
        maxCompletionTokens: 4096,
        builtinLatencyMs: 5,
        fallbacks: ['http://127.0.0.1:8001/v1', 'builtin'],
        breakerThreshold: 7,
        breakerCooldownMs: 4321,
        maxAnswerBytes: mib,
        maxEventBytes: 64 * 1024,
      },
      responses: {
        contextMaxBytes: 2048,
        storeMaxEntries: 5,
        storeMaxBytes: 1024 ** 2,
        storeTtlSeconds: 30 * 86_400,
      },
      conversations: {
        ttlSeconds: 30 * 86_400,
        maxBytes: 1024 ** 2,
        totalMaxBytes: 64 * 1024 ** 2,
      },
      streamKeepAliveMs: 999,
      streamStallTimeoutMs: 888,
      cache: { scope: 'shared', ttlSeconds: 60, maxEntries: 11, maxBytes: 2 * mib },
      history: {
        storeText: false,
        bufferMaxRecords: 22,
        bufferMaxBytes: 3 * mib,
        memoryMaxRecords: 33,
        memoryMaxBytes: 4 * mib,
      },
    });
  });

  it('talks to the OpenAI API when no base URL is given', () => {
    expect(agentConfig(loadEnvironment({}, AgentEnvironment)).provider.baseUrl).toBe(
      'https://api.openai.com/v1',
    );
  });
});
