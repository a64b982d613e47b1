import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { TelemetryEnvironment } from './telemetry-environment.js';
import { toBool, toInt } from './transforms.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LLM_PROVIDERS = ['builtin', 'openai'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];
export const CACHE_SCOPES = ['client', 'shared'] as const;
export type CacheScope = (typeof CACHE_SCOPES)[number];

/**
 * One API key entry: a client id, the SHA-256 (hex) of its key, optional per-client limits
 * (`rpm`, `tpm` per minute; `tpd`, `tpmo` token budgets per UTC day and month) and `admin` (the
 * key may also manage keys through /admin). Shared with the key registry, which parses
 * `API_KEYS_FILE` with it.
 */
export const API_KEY_ENTRY =
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}:[0-9a-fA-F]{64}(:((rpm|tpm|tpd|tpmo)=\d{1,10}|admin)(;((rpm|tpm|tpd|tpmo)=\d{1,10}|admin)){0,4})?$/;

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** A byte size as an integer or with a unit: "65536", "64kb", "64mb", "1gb" (powers of 1024). */
const toBytes = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  return match ? Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] : value;
};
const BYTES_MESSAGE = (name: string, range = 'from 1mb to 4gb') => ({
  message: `${name} must be a size such as 16mb, 512kb or a number of bytes, ${range}`,
});
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Every setting the service reads, with its default. The environment is the only source;
 * `.env.example` and the README's table document the same list.
 */
export class Environment extends TelemetryEnvironment {
  // --- HTTP server ---
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) PORT = 8000;
  @IsString() @MaxLength(255) HOST = '0.0.0.0';
  /**
   * Listening sockets sharing PORT (SO_REUSEPORT, Node >= 22.12): each admits one new
   * connection per event-loop pass, so bursts of connections get in sooner. 1 = plain listen.
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(64) HTTP_ACCEPTORS = 8;
  /**
   * Port of a second listener that answers only GET /health, from a thread of its own, for
   * kubelet liveness probes (never queued behind the main loop's work); 0 = none.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) LIVENESS_PORT = 0;
  /** The liveness listener answers 503 once the main event loop has not turned for this long. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000) LIVENESS_MAX_STALL_MS = 5_000;
  /** Largest accepted request body, in bytes-package notation ("100kb", "1mb"). */
  @Matches(/^\d+(\.\d+)?\s*(b|kb|mb)?$/i, {
    message: 'BODY_LIMIT must look like 100kb, 1mb or 4096',
  })
  BODY_LIMIT = '100kb';
  /** Comma-separated allowed CORS origins; empty keeps CORS closed. */
  @Transform(toList)
  @IsUrl(
    { require_tld: false, require_protocol: true },
    {
      each: true,
      message:
        'CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com',
    },
  )
  CORS_ORIGINS: string[] = [];

  // --- identity ---
  @IsString() @MaxLength(64) APP_VERSION = '1.0.0';
  @IsString() @MaxLength(64) ENVIRONMENT = 'development';

  // --- logging ---
  @IsIn(LOG_LEVELS) LOG_LEVEL: LogLevel = 'info';
  @IsIn(['json', 'pretty']) LOG_FORMAT: 'json' | 'pretty' = 'json';

  // --- shutdown ---
  /** Longest time between SIGTERM and exit; in-flight requests get this long to finish. */
  @Transform(toInt) @IsInt() @Min(0) @Max(600_000) SHUTDOWN_GRACE_MS = 10_000;
  /** Time to keep serving after SIGTERM (readiness already 503) so load balancers drain first. */
  @Transform(toInt) @IsInt() @Min(0) @Max(600_000) SHUTDOWN_DRAIN_DELAY_MS = 0;

  // --- LLM provider ---
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

  // --- optional dependencies ---
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL?: string = undefined;
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined;
  /** A required dependency that is down makes /ready answer 503; an optional one only degrades it. */
  @Transform(toBool) @IsBoolean() DATABASE_REQUIRED = true;
  @Transform(toBool) @IsBoolean() REDIS_REQUIRED = false;
  /** Per-dependency timeout of a readiness check. */
  @Transform(toInt) @IsInt() @Min(50) @Max(60_000) READINESS_TIMEOUT_MS = 1_000;

  // --- PostgreSQL ---
  /** Run pending migrations at boot, under an advisory lock so replicas do not race. */
  @Transform(toBool) @IsBoolean() DATABASE_MIGRATE_ON_START = false;
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE = 10;
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000) DATABASE_CONNECT_TIMEOUT_MS = 3_000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000) DATABASE_QUERY_TIMEOUT_MS = 5_000;

  // --- Redis ---
  @IsString() @MaxLength(64) REDIS_KEY_PREFIX = 'ai-agent:';
  /** Longest a request waits on Redis before treating the cache as a miss. */
  @Transform(toInt) @IsInt() @Min(5) @Max(10_000) REDIS_COMMAND_TIMEOUT_MS = 100;

  // --- response cache ---
  /** Lifetime of a cached answer; 0 turns the cache off. */
  @Transform(toInt) @IsInt() @Min(0) @Max(30 * 86_400) CACHE_TTL_SECONDS = 300;
  /**
   * `client`: a cached answer serves only the API client that caused it. `shared`: any client
   * sending the same request gets it, so one client can learn what another asked and was told.
   */
  @IsIn(CACHE_SCOPES) CACHE_SCOPE: CacheScope = 'client';
  /** Entries kept by the in-process cache (used without Redis). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) CACHE_MAX_ENTRIES = 1_000;
  /** Bytes of answers the in-process cache holds (estimated as UTF-16); the LRU evicts beyond it. */
  @Transform(toBytes)
  @IsInt(BYTES_MESSAGE('CACHE_MAX_BYTES'))
  @Min(1024 ** 2, BYTES_MESSAGE('CACHE_MAX_BYTES'))
  @Max(4 * 1024 ** 3, BYTES_MESSAGE('CACHE_MAX_BYTES'))
  CACHE_MAX_BYTES = 16 * 1024 ** 2;

  // --- query history ---
  /** false keeps prompts and responses out of the history: only lengths and a SHA-256 are stored. */
  @Transform(toBool) @IsBoolean() HISTORY_STORE_TEXT = true;
  /** Records held in memory while PostgreSQL is unreachable; beyond it the oldest are dropped. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) HISTORY_BUFFER_SIZE = 10_000;
  /**
   * Bytes of records held while PostgreSQL is unreachable; beyond it the oldest are dropped.
   * 64 MiB keeps the worst case (100 kB prompts) well inside a 512 MiB container.
   */
  @Transform(toBytes)
  @IsInt(BYTES_MESSAGE('HISTORY_BUFFER_MAX_BYTES'))
  @Min(1024 ** 2, BYTES_MESSAGE('HISTORY_BUFFER_MAX_BYTES'))
  @Max(4 * 1024 ** 3, BYTES_MESSAGE('HISTORY_BUFFER_MAX_BYTES'))
  HISTORY_BUFFER_MAX_BYTES = 64 * 1024 ** 2;
  /** Records kept by the in-process history (used without PostgreSQL). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) HISTORY_MEMORY_LIMIT = 1_000;
  /** Bytes of records kept by the in-process history; beyond it the oldest are dropped. */
  @Transform(toBytes)
  @IsInt(BYTES_MESSAGE('HISTORY_MEMORY_MAX_BYTES'))
  @Min(1024 ** 2, BYTES_MESSAGE('HISTORY_MEMORY_MAX_BYTES'))
  @Max(4 * 1024 ** 3, BYTES_MESSAGE('HISTORY_MEMORY_MAX_BYTES'))
  HISTORY_MEMORY_MAX_BYTES = 32 * 1024 ** 2;

  // --- access: API keys, limits, shedding ---
  /** Comma-separated `client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N]` entries; keys themselves are never configured. */
  @Transform(toList)
  @Matches(API_KEY_ENTRY, {
    each: true,
    message:
      'API_KEYS must be comma-separated client-id:sha256-hex[:rpm=N;tpm=N;tpd=N;tpmo=N] entries',
  })
  API_KEYS: string[] = [];
  /** A file (mounted secret) with one entry per line; reloaded on change and on SIGHUP. */
  @IsOptional() @IsString() @MaxLength(4096) API_KEYS_FILE?: string = undefined;
  /** Refuse to start without keys instead of serving openly. */
  @Transform(toBool) @IsBoolean() AUTH_REQUIRED = false;
  /**
   * Secret that opens the key API under /admin (with `admin` key entries, or instead of them);
   * neither set: /admin answers 404. Long enough that guessing it is out of the question.
   */
  @IsOptional() @IsString() @MinLength(32) @MaxLength(512) ADMIN_TOKEN?: string = undefined;
  /** How long a rotated key's previous secret keeps working, unless the request says otherwise. */
  @Transform(toInt) @IsInt() @Min(0) @Max(30 * 86_400) ADMIN_KEY_ROTATION_GRACE_SECONDS = 3_600;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  @IsOptional() @IsString() @MinLength(16) @MaxLength(512) METRICS_TOKEN?: string = undefined;
  /** false removes /docs and /openapi.json. */
  @Transform(toBool) @IsBoolean() DOCS_ENABLED = true;
  /** Requests per minute per client (per remote address without keys); 0 = unlimited. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) RATE_LIMIT_REQUESTS_PER_MINUTE = 0;
  /** Tokens (reserved at admission, charged from tokens_used) per minute per client; 0 = unlimited. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000_000) RATE_LIMIT_TOKENS_PER_MINUTE = 0;
  /** Token budgets per client per UTC day and month (a key entry's tpd/tpmo win); 0 = none. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1e12) BUDGET_TOKENS_PER_DAY = 0;
  @Transform(toInt) @IsInt() @Min(0) @Max(1e12) BUDGET_TOKENS_PER_MONTH = 0;
  /** Tokens per client over the last BUDGET_ROLLING_HOURS hours (whole hours); 0 = none. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1e12) BUDGET_ROLLING_TOKENS = 0;
  @Transform(toInt) @IsInt() @Min(1) @Max(720) BUDGET_ROLLING_HOURS = 24;
  /** Concurrent /query requests per replica before 503; 0 = no cap. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100_000) MAX_IN_FLIGHT = 256;
}
