import type { PinoLogger } from 'nestjs-pino';
import type { AgentConfig } from '../agent.config.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { BuiltinProvider } from './builtin.provider.js';
import { GuardedProvider } from './guarded-provider.js';
import type { LlmProvider } from './llm-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';
import { ProviderChain } from './provider-chain.js';
import { withRetries } from './retrying-provider.js';
import type { ProviderMetrics } from './provider-metrics.js';

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

/**
 * Builds the configured provider and its `LLM_FALLBACKS`, each behind its own circuit breaker;
 * an OpenAI-compatible member retries (LLM_MAX_RETRIES) inside its breaker, and `wrap` sees each
 * attempt.
 */
export function createProviderChain(
  config: AgentConfig['provider'],
  tokens: TokenCounter,
  metrics: ProviderMetrics,
  logger: PinoLogger,
  /** Applied to each member's attempts (tracing, token metrics). */
  wrap: (provider: LlmProvider, kind: string) => LlmProvider = (provider) => provider,
): ProviderChain {
  const providers: { provider: LlmProvider; kind: string; retries?: number }[] = [];
  const openai = (id: string, baseUrl: string, apiKey: string | undefined, model: string) => ({
    kind: 'openai',
    retries: config.maxRetries,
    provider: new OpenAiCompatibleProvider(
      {
        id,
        baseUrl,
        apiKey,
        model,
        timeoutMs: config.timeoutMs,
        bounds: { maxAnswerBytes: config.maxAnswerBytes, maxEventBytes: config.maxEventBytes },
      },
      tokens,
    ),
  });
  if (config.name === 'openai') {
    providers.push(
      openai('openai', config.baseUrl, config.apiKey, config.model ?? DEFAULT_OPENAI_MODEL),
    );
  } else {
    providers.push({
      kind: 'builtin',
      provider: new BuiltinProvider(tokens, config.model, config.builtinLatencyMs),
    });
  }
  for (const entry of config.fallbacks) {
    if (entry === 'builtin') {
      // A fallback answers with its own default model: LLM_MODEL names the primary's.
      providers.push({
        kind: 'builtin',
        provider: new BuiltinProvider(tokens, undefined, config.builtinLatencyMs),
      });
      continue;
    }
    const { baseUrl, apiKey, model } = parseEndpoint(entry);
    providers.push(
      openai(`openai-${providers.length + 1}`, baseUrl, apiKey, model ?? DEFAULT_OPENAI_MODEL),
    );
  }
  const breaker = {
    threshold: config.breakerThreshold,
    halfOpenAfterMs: config.breakerCooldownMs,
  };
  const onStateChange = (provider: string, state: string) =>
    state === 'open'
      ? logger.warn({ provider, circuit: state }, 'provider circuit opened')
      : logger.info({ provider, circuit: state }, `provider circuit ${state.replace('_', '-')}`);
  return new ProviderChain(
    providers.map(
      ({ provider, kind, retries = 0 }) =>
        new GuardedProvider(
          withRetries(wrap(provider, kind), retries),
          kind,
          metrics,
          breaker,
          onStateChange,
        ),
    ),
    metrics,
  );
}

/** `https://:key@host/v1#model` → base URL without credentials or fragment, key and model. */
export function parseEndpoint(entry: string): { baseUrl: string; apiKey?: string; model?: string } {
  const url = new URL(entry);
  const apiKey = decodeURIComponent(url.password) || undefined;
  const model = decodeURIComponent(url.hash.slice(1)) || undefined;
  url.username = '';
  url.password = '';
  url.hash = '';
  return { baseUrl: url.toString(), apiKey, model };
}
