import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { BYTES_MESSAGE, toBytes, toInt, toList } from '@app/platform';

export const LLM_PROVIDERS = ['builtin', 'openai'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/**
 * The agent's settings: the LLM providers and their bounds, stored responses, conversations and
 * streams. Validated with the platform's by `loadEnvironment` (see the service's environment).
 */
export class AgentEnvironment {
  @IsIn(LLM_PROVIDERS) LLM_PROVIDER: LlmProviderName = 'builtin';
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true },
    { message: 'LLM_BASE_URL must be an http(s) URL such as https://api.openai.com/v1' },
  )
  LLM_BASE_URL?: string = undefined;
  @IsOptional() @IsString() LLM_API_KEY?: string = undefined;
  /** Model name sent to the provider; each provider has its own default. */
  @IsOptional() @IsString() @MaxLength(128) LLM_MODEL?: string = undefined;
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000) LLM_TIMEOUT_MS = 30_000;
  @Transform(toInt) @IsInt() @Min(0) @Max(10) LLM_MAX_RETRIES = 2;
  /**
   * Ceiling on `max_tokens` on /v1 (a larger value is clamped to it), and the completion bound
   * of a /v1 request that sends none (its answer's byte bounds derive from it).
   */
  @Transform(toInt) @IsInt() @Min(16) @Max(1_000_000) LLM_MAX_COMPLETION_TOKENS = 4096;
  /** /v1/responses: the conversation `previous_response_id` carries over, and the store's bounds. */
  @Transform(toBytes) @IsInt() @Min(1024) @Max(64 * 1024 ** 2) RESPONSES_CONTEXT_MAX_BYTES =
    256 * 1024;
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) RESPONSES_STORE_MAX_ENTRIES = 1000;
  @Transform(toBytes) @IsInt() @Min(64 * 1024) @Max(1024 ** 3) RESPONSES_STORE_MAX_BYTES =
    32 * 1024 ** 2;
  /** How long a stored response is kept (purged from PostgreSQL once past it). */
  @Transform(toInt) @IsInt() @Min(60) @Max(365 * 86_400) RESPONSES_STORE_TTL_SECONDS = 30 * 86_400;
  /** /v1/conversations: idle time after which a conversation expires (each use renews it). */
  @Transform(toInt) @IsInt() @Min(60) @Max(365 * 86_400) CONVERSATION_TTL_SECONDS = 30 * 86_400;
  /** Bytes of items one conversation keeps (the oldest go first); a larger batch is refused. */
  @Transform(toBytes) @IsInt() @Min(4 * 1024) @Max(64 * 1024 ** 2) CONVERSATION_MAX_BYTES =
    1024 ** 2;
  /** Bytes of every conversation kept in process (without PostgreSQL; the oldest go first). */
  @Transform(toBytes) @IsInt() @Min(64 * 1024) @Max(4 * 1024 ** 3) CONVERSATIONS_MAX_BYTES =
    64 * 1024 ** 2;
  /**
   * Providers tried in order when the configured one fails: `builtin` (last) or OpenAI-compatible
   * base URLs, with an optional `#model` and the API key as the URL's password.
   */
  @Transform(toList)
  @Matches(/^(builtin|https?:\/\/[^\s,]+)$/, {
    each: true,
    message: 'LLM_FALLBACKS must be a comma-separated list of http(s) base URLs and/or builtin',
  })
  LLM_FALLBACKS: string[] = [];
  /** Consecutive failures that open a provider's circuit, and how long it then stays open. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) LLM_BREAKER_THRESHOLD = 5;
  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000) LLM_BREAKER_COOLDOWN_MS = 30_000;
  /**
   * Ceiling on the bytes an upstream may send for one answer (body, or all SSE events); below it
   * the bound is 64 KiB plus 1 KiB per requested token.
   */
  @Transform(toBytes)
  @IsInt(BYTES_MESSAGE('LLM_MAX_ANSWER_BYTES', 'from 64kb to 256mb'))
  @Min(64 * 1024, BYTES_MESSAGE('LLM_MAX_ANSWER_BYTES', 'from 64kb to 256mb'))
  @Max(256 * 1024 ** 2, BYTES_MESSAGE('LLM_MAX_ANSWER_BYTES', 'from 64kb to 256mb'))
  LLM_MAX_ANSWER_BYTES = 4 * 1024 ** 2;
  /** Bytes of one SSE event from an upstream. */
  @Transform(toBytes)
  @IsInt(BYTES_MESSAGE('LLM_MAX_EVENT_BYTES', 'from 4kb to 64mb'))
  @Min(4 * 1024, BYTES_MESSAGE('LLM_MAX_EVENT_BYTES', 'from 4kb to 64mb'))
  @Max(64 * 1024 ** 2, BYTES_MESSAGE('LLM_MAX_EVENT_BYTES', 'from 4kb to 64mb'))
  LLM_MAX_EVENT_BYTES = 256 * 1024;
  /** A streamed answer that pauses this long gets an SSE comment so proxies keep the connection. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000) STREAM_KEEPALIVE_MS = 15_000;
  /** A client that reads nothing of its stream for this long is cut off (the upstream call too). */
  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000) STREAM_STALL_TIMEOUT_MS = 30_000;
  /** Simulated model latency of the built-in provider, for load and shutdown testing. */
  @Transform(toInt) @IsInt() @Min(0) @Max(60_000) BUILTIN_LATENCY_MS = 0;

  /** Rules that involve more than one of these variables. */
  static problems(env: AgentEnvironment): string[] {
    const problems: string[] = [];
    if (env.LLM_PROVIDER === 'openai' && !env.LLM_BASE_URL && !env.LLM_API_KEY) {
      problems.push(
        'LLM_API_KEY is required when LLM_PROVIDER=openai talks to the OpenAI API (no LLM_BASE_URL)',
      );
    }
    const builtinAt = env.LLM_FALLBACKS.indexOf('builtin');
    if (env.LLM_FALLBACKS.length > 0 && env.LLM_PROVIDER === 'builtin') {
      problems.push('LLM_FALLBACKS needs LLM_PROVIDER=openai (the built-in provider never fails)');
    } else if (builtinAt !== -1 && builtinAt !== env.LLM_FALLBACKS.length - 1) {
      problems.push('LLM_FALLBACKS may name builtin only last (it never fails over)');
    }
    return problems;
  }
}
