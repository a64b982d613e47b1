import { errorType } from '@app/platform/telemetry';
import { ProviderError } from '../providers/provider-error.js';

/**
 * The OpenTelemetry GenAI semantic conventions this service follows, pinned: they are still in
 * Development status and rename things between releases (`gen_ai.system` became
 * `gen_ai.provider.name` in 1.37.0). Names are written here rather than imported from the
 * package's incubating entry, which follows the latest release.
 */
export const GEN_AI_SEMCONV_VERSION = '1.37.0';

export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  tokenType: 'gen_ai.token.type',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  errorType: 'error.type',
} as const;

/** The chain member's own id (`openai`, `openai-2`, `builtin`): tells fallbacks apart. */
export const PROVIDER_ID = 'ai_agent.provider.id';

/** Which attempt at that provider a `chat` span is, from 1: a retry is a span of its own. */
export const PROVIDER_ATTEMPT = 'ai_agent.provider.attempt';

/** `error.type`: the provider failure's kind (timeout, server_error...), `cancelled` for an abort. */
export function genAiErrorType(error: unknown, signal: AbortSignal | undefined): string {
  if (error instanceof ProviderError) return error.kind;
  return signal?.aborted ? 'cancelled' : errorType(error);
}
