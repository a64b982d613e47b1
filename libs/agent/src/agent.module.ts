import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Environment } from '@app/platform';
import { BuiltinProvider } from './providers/builtin.provider.js';
import { LLM_PROVIDER } from './providers/llm-provider.js';
import { OpenAiCompatibleProvider } from './providers/openai-compatible.provider.js';
import { QueryController } from './query.controller.js';
import { QueryService } from './query.service.js';
import { TokenCounter } from './tokens/token-counter.js';

/** The agent: `POST /query` and the provider chosen from the environment. */
@Module({})
export class AgentModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AgentModule,
      controllers: [QueryController],
      providers: [TokenCounter, QueryService, llmProvider(env)],
      exports: [QueryService],
    };
  }
}

function llmProvider(env: Environment): Provider {
  return {
    provide: LLM_PROVIDER,
    inject: [TokenCounter],
    useFactory: (tokens: TokenCounter) =>
      env.LLM_PROVIDER === 'openai'
        ? new OpenAiCompatibleProvider({
            baseUrl: env.LLM_BASE_URL ?? 'https://api.openai.com/v1',
            apiKey: env.LLM_API_KEY,
            model: env.LLM_MODEL ?? 'gpt-4o-mini',
            timeoutMs: env.LLM_TIMEOUT_MS,
            maxRetries: env.LLM_MAX_RETRIES,
          })
        : new BuiltinProvider(tokens, env.LLM_MODEL, env.BUILTIN_LATENCY_MS),
  };
}
