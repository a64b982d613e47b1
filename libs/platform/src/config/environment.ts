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
} from 'class-validator';
import { TelemetryEnvironment } from './telemetry-environment.js';
import { BYTES_MESSAGE, toBool, toBytes, toInt, toList } from './transforms.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const CACHE_SCOPES = ['client', 'shared'] as const;
export type CacheScope = (typeof CACHE_SCOPES)[number];

/**
 * The settings of the platform: HTTP, identity, logging, shutdown, the optional dependencies,
 * the response cache and the query history, with their defaults. The libs that own the other
 * settings declare them beside their code (the agent's LLM providers, access's keys and limits)
 * and `loadEnvironment` validates those slices with this one. The environment is the only
 * source; `.env.example` and the README's table document every variable.
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

  // --- API documentation ---
  /** false removes /docs and /openapi.json. */
  @Transform(toBool) @IsBoolean() DOCS_ENABLED = true;
}
