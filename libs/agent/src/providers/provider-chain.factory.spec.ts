import { describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { MetricsRegistry } from '@app/platform';
import type { AgentConfig } from '../agent.config.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { BuiltinProvider } from './builtin.provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';
import { createProviderChain, parseEndpoint } from './provider-chain.factory.js';
import { ProviderError } from './provider-error.js';
import { ProviderMetrics } from './provider-metrics.js';

const tokens = { count: (text: string) => Promise.resolve(text.length) } as TokenCounter;

const config = (overrides: Partial<AgentConfig['provider']> = {}): AgentConfig['provider'] => ({
  name: 'builtin',
  baseUrl: 'https://api.openai.com/v1',
  apiKey: undefined,
  model: undefined,
  maxCompletionTokens: 4096,
  timeoutMs: 1_000,
  maxRetries: 0,
  builtinLatencyMs: 0,
  fallbacks: [],
  breakerThreshold: 2,
  breakerCooldownMs: 60_000,
  maxAnswerBytes: 4 * 1024 ** 2,
  maxEventBytes: 256 * 1024,
  ...overrides,
});

function build(overrides: Partial<AgentConfig['provider']> = {}) {
  const logger = { warn: jest.fn(), info: jest.fn() };
  const chain = createProviderChain(
    config(overrides),
    tokens,
    new ProviderMetrics(new MetricsRegistry()),
    logger as unknown as PinoLogger,
  );
  return { chain, logger };
}

describe('createProviderChain', () => {
  it('builds the built-in provider alone by default, with its own default model', () => {
    const { chain } = build();
    expect(chain.members).toHaveLength(1);
    const [member] = chain.members;
    expect(member.provider).toBeInstanceOf(BuiltinProvider);
    expect(member.labels).toEqual({
      provider: 'builtin',
      gen_ai_provider_name: 'builtin',
      gen_ai_request_model: 'builtin-echo',
    });
    expect(chain.name).toBe('builtin');
    expect(chain.model).toBe('builtin-echo');
  });

  it('gives the built-in provider the configured model and latency', async () => {
    const { chain } = build({ model: 'echo-2', builtinLatencyMs: 60 });
    expect(chain.model).toBe('echo-2');
    const started = performance.now();
    await chain.complete({ prompt: 'x', maxTokens: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('builds an OpenAI-compatible primary with gpt-4o-mini unless a model is named', () => {
    const primary = build({ name: 'openai' }).chain.members[0];
    expect(primary.provider).toBeInstanceOf(OpenAiCompatibleProvider);
    expect(primary.labels).toEqual({
      provider: 'openai',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'gpt-4o-mini',
    });
    expect(build({ name: 'openai', model: 'gpt-x' }).chain.model).toBe('gpt-x');
  });

  it('appends the fallbacks in order, numbering OpenAI-compatible ones by position', () => {
    const { chain } = build({
      name: 'openai',
      model: 'primary-model',
      fallbacks: ['https://:k@fallback.example/v1#other-model', 'builtin', 'http://third.example'],
    });
    expect(chain.members.map((m) => m.labels)).toEqual([
      {
        provider: 'openai',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'primary-model',
      },
      {
        provider: 'openai-2',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'other-model',
      },
      // A built-in fallback keeps its own model: LLM_MODEL names the primary's.
      {
        provider: 'builtin',
        gen_ai_provider_name: 'builtin',
        gen_ai_request_model: 'builtin-echo',
      },
      {
        provider: 'openai-4',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'gpt-4o-mini',
      },
    ]);
  });

  it('gives a built-in fallback the simulated latency too', async () => {
    const { chain } = build({ name: 'openai', fallbacks: ['builtin'], builtinLatencyMs: 60 });
    const fallback = chain.members[1].provider;
    const started = performance.now();
    await fallback.complete({ prompt: 'x', maxTokens: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('opens a circuit after the configured number of failures and logs its changes', async () => {
    const { chain, logger } = build({ breakerThreshold: 2, breakerCooldownMs: 60_000 });
    const [member] = chain.members;
    const failing = jest
      .spyOn(member.provider, 'complete')
      .mockRejectedValue(new ProviderError('unavailable', 'down'));
    await expect(chain.complete({ prompt: 'x', maxTokens: 5 })).rejects.toThrow('down');
    expect(member.circuit).toBe('closed');
    await expect(chain.complete({ prompt: 'x', maxTokens: 5 })).rejects.toThrow('down');
    expect(member.circuit).toBe('open');
    expect(logger.warn).toHaveBeenCalledWith(
      { provider: 'builtin', circuit: 'open' },
      'provider circuit opened',
    );
    // Still open a minute later: the cool-down is the configured one.
    await expect(chain.complete({ prompt: 'x', maxTokens: 5 })).rejects.toMatchObject({
      kind: 'circuit_open',
    });
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('logs a half-open and a closed circuit at info level, with a hyphen', async () => {
    const { chain, logger } = build({ breakerThreshold: 1, breakerCooldownMs: 20 });
    const [member] = chain.members;
    const spy = jest
      .spyOn(member.provider, 'complete')
      .mockRejectedValueOnce(new ProviderError('unavailable', 'down'));
    await expect(chain.complete({ prompt: 'x', maxTokens: 5 })).rejects.toThrow('down');
    await new Promise((resolve) => setTimeout(resolve, 40));
    spy.mockRestore();
    await chain.complete({ prompt: 'x', maxTokens: 5 });
    expect(logger.info).toHaveBeenCalledWith(
      { provider: 'builtin', circuit: 'half_open' },
      'provider circuit half-open',
    );
    expect(logger.info).toHaveBeenCalledWith(
      { provider: 'builtin', circuit: 'closed' },
      'provider circuit closed',
    );
  });
});

describe('parseEndpoint', () => {
  it('takes the key from the password and the model from the fragment', () => {
    expect(parseEndpoint('https://:s%2Fk@llm.example/v1#org%2Fmodel')).toEqual({
      baseUrl: 'https://llm.example/v1',
      apiKey: 's/k',
      model: 'org/model',
    });
  });

  it('drops a user name and leaves key and model out when not given', () => {
    expect(parseEndpoint('http://user@llm.example:8080/v1')).toEqual({
      baseUrl: 'http://llm.example:8080/v1',
      apiKey: undefined,
      model: undefined,
    });
    expect(parseEndpoint('http://llm.example/v1#')).toEqual({
      baseUrl: 'http://llm.example/v1',
      apiKey: undefined,
      model: undefined,
    });
  });
});
