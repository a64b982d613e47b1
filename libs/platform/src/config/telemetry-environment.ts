import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { toBool, toInt } from './transforms.js';

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The OpenTelemetry variables the service honours, validated at boot with the rest. The SDK
 * reads them itself (telemetry/otel-sdk.ts); validating them here turns a typo into one clear
 * start-up error instead of an SDK that quietly falls back to its defaults.
 */
export class TelemetryEnvironment {
  /** true turns tracing off whatever else is set. */
  @Transform(toBool) @IsBoolean() OTEL_SDK_DISABLED = false;
  /** Where spans go (OTLP/HTTP base URL, `/v1/traces` appended); unset = no tracing at all. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://collector:4318',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string = undefined;
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, {
    message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL (the full /v1/traces URL)',
  })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string = undefined;
  @IsOptional() @IsIn(['http/protobuf', 'http/json', 'grpc']) OTEL_EXPORTER_OTLP_PROTOCOL?: string =
    undefined;
  @IsOptional() @IsIn(['otlp', 'console', 'none']) OTEL_TRACES_EXPORTER?: string = undefined;
  /** GenAI metrics over OTLP as well as on /metrics: `otlp`; default `none`. */
  @IsOptional() @IsIn(['otlp', 'console', 'none']) OTEL_METRICS_EXPORTER?: string = undefined;
  @IsOptional() @IsString() @MaxLength(128) OTEL_SERVICE_NAME?: string = undefined;
  @IsOptional()
  @Matches(/^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, {
    message: 'OTEL_RESOURCE_ATTRIBUTES must be comma-separated key=value pairs',
  })
  @MaxLength(4096)
  OTEL_RESOURCE_ATTRIBUTES?: string = undefined;
  @IsOptional() @IsIn(SAMPLERS) OTEL_TRACES_SAMPLER?: string = undefined;
  @IsOptional()
  @Matches(/^(0(\.\d+)?|1(\.0+)?)$/, {
    message: 'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1',
  })
  OTEL_TRACES_SAMPLER_ARG?: string = undefined;
  /** Spans waiting for export; beyond it new spans are dropped, never queued. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) OTEL_BSP_MAX_QUEUE_SIZE = 2048;
  /** Prompts and answers in GenAI span events: off unless explicitly turned on. */
  @Transform(toBool) @IsBoolean() OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = false;
  /** Bytes of each captured prompt or answer (UTF-8, cut at a character boundary). */
  @Transform(toInt) @IsInt() @Min(16) @Max(1_048_576) OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_BYTES =
    4096;
}
