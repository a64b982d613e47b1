import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { toBool, toInt, toList } from '@app/platform';

/**
 * One API key entry: a client id, the SHA-256 (hex) of its key, optional per-client limits
 * (`rpm`, `tpm` per minute; `tpd`, `tpmo` token budgets per UTC day and month) and `admin` (the
 * key may also manage keys through /admin). Shared with the key registry, which parses
 * `API_KEYS_FILE` with it.
 */
export const API_KEY_ENTRY =
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}:[0-9a-fA-F]{64}(:((rpm|tpm|tpd|tpmo)=\d{1,10}|admin)(;((rpm|tpm|tpd|tpmo)=\d{1,10}|admin)){0,4})?$/;

/**
 * The access layer's settings: API keys, the key API, the metrics token, per-client limits and
 * budgets, and shedding. Validated with the platform's by `loadEnvironment`.
 */
export class AccessEnvironment {
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

  /** Rules that involve more than one of these variables. */
  static problems(env: AccessEnvironment): string[] {
    return env.AUTH_REQUIRED && env.API_KEYS.length === 0 && !env.API_KEYS_FILE && !env.ADMIN_TOKEN
      ? ['AUTH_REQUIRED=true needs API_KEYS, API_KEYS_FILE or ADMIN_TOKEN']
      : [];
  }
}
