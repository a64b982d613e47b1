import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
import { PageLimitDto } from '@app/platform';

/** Key ids and client ids: what API_KEYS accepts as a client id. */
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Ids the list gives keys from API_KEYS / API_KEYS_FILE (never a managed key's: it has a colon). */
export const CONFIGURED_KEY_ID = /^(environment|file):[0-9a-f]{8}$/;
const ID_MESSAGE = (field: string) =>
  `${field} must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit`;

const MAX_RPM = 1_000_000;
const MAX_TPM = 1_000_000_000;
const MAX_BUDGET = Number.MAX_SAFE_INTEGER;

/** One bounded count field: an integer from 0 to `max`, or null/absent. */
function Count(field: string, max: number, description: string): PropertyDecorator {
  const message = { message: `${field} must be an integer from 0 to ${max}` };
  return (target, key) => {
    ApiProperty({
      type: 'integer',
      minimum: 0,
      maximum: max,
      nullable: true,
      required: false,
      description,
    })(target, key);
    IsOptional()(target, key);
    Max(max, message)(target, key);
    Min(0, message)(target, key);
    IsInt(message)(target, key);
  };
}

/** The limits and budgets a body may set; null clears one (the global setting applies). */
export class KeyLimitsDto {
  @Count(
    'requests_per_minute',
    MAX_RPM,
    'Requests per minute; null: RATE_LIMIT_REQUESTS_PER_MINUTE.',
  )
  requests_per_minute?: number | null;
  @Count('tokens_per_minute', MAX_TPM, 'Tokens per minute; null: RATE_LIMIT_TOKENS_PER_MINUTE.')
  tokens_per_minute?: number | null;
  @Count('tokens_per_day', MAX_BUDGET, 'Token budget per day; null: none.')
  tokens_per_day?: number | null;
  @Count('tokens_per_month', MAX_BUDGET, 'Token budget per month; null: none.')
  tokens_per_month?: number | null;
}

/** Body of `POST /admin/keys`. */
export class CreateKeyDto extends KeyLimitsDto {
  @ApiProperty({
    required: false,
    pattern: KEY_ID.source,
    example: 'acme-prod',
    description: 'Generated when absent.',
  })
  @IsOptional()
  @Matches(KEY_ID, { message: ID_MESSAGE('id') })
  @IsString({ message: ID_MESSAGE('id') })
  id?: string;
  @ApiProperty({
    required: false,
    pattern: KEY_ID.source,
    example: 'acme',
    description:
      'The client the key belongs to (its label in logs, metrics, history and limits); the key id when absent.',
  })
  @IsOptional()
  @Matches(KEY_ID, { message: ID_MESSAGE('client_id') })
  @IsString({ message: ID_MESSAGE('client_id') })
  client_id?: string;
  @ApiProperty({ required: false, maxLength: 200, example: 'Acme production' })
  @IsOptional()
  @MaxLength(200, { message: 'name must be 1 to 200 characters' })
  @MinLength(1, { message: 'name must be 1 to 200 characters' })
  @IsString({ message: 'name must be a string' })
  name?: string;
  @ApiProperty({ required: false, default: false, description: 'The key may also manage keys.' })
  @IsOptional()
  @IsBoolean({ message: 'admin must be a boolean' })
  admin?: boolean;
}

/** Body of `PATCH /admin/keys/{id}`: the fields to change. */
export class UpdateKeyDto extends KeyLimitsDto {
  @ApiProperty({
    type: String,
    required: false,
    nullable: true,
    maxLength: 200,
    example: 'Acme production',
  })
  @IsOptional()
  @MaxLength(200, { message: 'name must be 1 to 200 characters' })
  @MinLength(1, { message: 'name must be 1 to 200 characters' })
  @IsString({ message: 'name must be a string' })
  name?: string | null;
}

/** Query string of `POST /admin/keys/{id}/rotate`. */
export class RotateKeyDto {
  @ApiProperty({
    type: 'integer',
    required: false,
    minimum: 0,
    maximum: 2_592_000,
    description:
      'How long the previous secret keeps working; ADMIN_KEY_ROTATION_GRACE_SECONDS when absent.',
  })
  @IsOptional()
  @Type(() => Number)
  @Max(2_592_000, { message: 'grace_seconds must be an integer from 0 to 2592000' })
  @Min(0, { message: 'grace_seconds must be an integer from 0 to 2592000' })
  @IsInt({ message: 'grace_seconds must be an integer from 0 to 2592000' })
  grace_seconds?: number;
}

/** Query string of the paginated listings. */
export class PageQueryDto extends PageLimitDto {
  @ApiProperty({ required: false, maxLength: 80, description: 'next_cursor of the previous page.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/, { message: 'cursor is not valid' })
  @IsString({ message: 'cursor is not valid' })
  cursor?: string;
}

/** Query string of `GET /admin/audit`. */
export class AuditQueryDto extends PageQueryDto {
  @ApiProperty({
    required: false,
    example: 'acme-prod',
    description: 'Only the changes of this key.',
  })
  @IsOptional()
  @Matches(KEY_ID, { message: ID_MESSAGE('key_id') })
  @IsString({ message: ID_MESSAGE('key_id') })
  key_id?: string;
}
