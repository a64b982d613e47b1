import type { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { OpenAiRequestError } from './openai-error.js';
import { readTools } from './chat-tools.js';

/** What the use-case needs of a chat request's parameters. */
export interface ChatParameters {
  /** Forwarded to the provider as given (validated): they all key the cache. */
  params: Record<string, unknown>;
  /** The completion bound: the client's value under the ceiling, else the ceiling. */
  maxTokens: number;
  /** Tools, n > 1 and logprobs make answers the cache does not keep. */
  cacheable: boolean;
}

/** Parameters forwarded as they are (their types and ranges are the DTO's). */
const PLAIN = [
  'temperature',
  'top_p',
  'seed',
  'user',
  'presence_penalty',
  'frequency_penalty',
  'logprobs',
  'top_logprobs',
  'parallel_tool_calls',
  'reasoning_effort',
  'verbosity',
] as const;

const MAX_STOP = 4;
const MAX_STOP_CHARS = 256;
const MAX_N = 8;
const MAX_LOGIT_BIAS = 300;

/**
 * Reads the parameters of `POST /v1/chat/completions` that go to the provider, bounded in shape
 * and size; `max_tokens`/`max_completion_tokens` keep the name the client used, clamped to the
 * operator's ceiling (LLM_MAX_COMPLETION_TOKENS). Platform settings (`store`, `metadata`,
 * `service_tier`, `prompt_cache_key`, `safety_identifier`) are accepted and not forwarded.
 */
export function readParameters(body: ChatCompletionRequestDto, ceiling: number): ChatParameters {
  const params: Record<string, unknown> = {};
  for (const name of PLAIN)
    if (body[name] !== undefined && body[name] !== null) params[name] = body[name];
  const name = body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const sent = body.max_completion_tokens ?? body.max_tokens;
  if (sent !== undefined && sent !== null) {
    if (sent < 1)
      throw new OpenAiRequestError(`${name} must be at least 1`, name, 'integer_below_min_value');
    params[name] = Math.min(sent, ceiling);
  }
  if (body.stop !== undefined && body.stop !== null) params.stop = readStop(body.stop);
  if (body.n !== undefined && body.n !== null) {
    if (body.n < 1 || body.n > MAX_N) {
      throw new OpenAiRequestError(`n must be between 1 and ${MAX_N}`, 'n', 'integer_out_of_range');
    }
    params.n = body.n;
  }
  if (body.logit_bias !== undefined && body.logit_bias !== null)
    params.logit_bias = readLogitBias(body.logit_bias);
  Object.assign(params, readTools(body));
  const cacheable = !params.tools && (body.n ?? 1) === 1 && body.logprobs !== true;
  return { params, maxTokens: Math.min(sent ?? ceiling, ceiling), cacheable };
}

function readStop(stop: unknown): string | string[] {
  const list = typeof stop === 'string' ? [stop] : stop;
  if (
    !Array.isArray(list) ||
    list.length > MAX_STOP ||
    !list.every((s) => typeof s === 'string' && s.length <= MAX_STOP_CHARS)
  ) {
    throw new OpenAiRequestError(
      `stop must be a string or up to ${MAX_STOP} strings of at most ${MAX_STOP_CHARS} characters`,
      'stop',
    );
  }
  return stop as string | string[];
}

function readLogitBias(bias: object): Record<string, number> {
  const entries = Object.entries(bias);
  const valid =
    entries.length <= MAX_LOGIT_BIAS &&
    entries.every(
      ([k, v]) => /^\d{1,9}$/.test(k) && typeof v === 'number' && v >= -100 && v <= 100,
    );
  if (!valid) {
    throw new OpenAiRequestError(
      `logit_bias must map up to ${MAX_LOGIT_BIAS} token ids to numbers from -100 to 100`,
      'logit_bias',
    );
  }
  return bias as Record<string, number>;
}
