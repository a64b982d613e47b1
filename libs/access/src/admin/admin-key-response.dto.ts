import { ApiProperty } from '@nestjs/swagger';
import type { AuditEntry } from './managed-key.js';
import type { KeyView } from './key-view.js';

const DATE = { type: String, format: 'date-time', nullable: true } as const;
const COUNT = { type: 'integer', minimum: 0, nullable: true } as const;

/** An API key as the key API shows it: never its secret or digest. */
export class KeyDto {
  @ApiProperty({
    example: 'acme-prod',
    description: 'environment:… and file:… for keys configured by API_KEYS / API_KEYS_FILE.',
  })
  id!: string;
  @ApiProperty({ example: 'acme' }) client_id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Acme production' }) name!: string | null;
  @ApiProperty({ enum: ['api', 'environment', 'file'] }) source!: string;
  @ApiProperty({ description: 'Configured keys are changed where they are configured, not here.' })
  read_only!: boolean;
  @ApiProperty({ description: 'The key may manage keys.' }) admin!: boolean;
  @ApiProperty(COUNT) requests_per_minute!: number | null;
  @ApiProperty(COUNT) tokens_per_minute!: number | null;
  @ApiProperty(COUNT) tokens_per_day!: number | null;
  @ApiProperty(COUNT) tokens_per_month!: number | null;
  @ApiProperty(DATE) created_at!: string | null;
  @ApiProperty(DATE) updated_at!: string | null;
  @ApiProperty({ ...DATE, description: 'Set once the key is revoked: it no longer authenticates.' })
  revoked_at!: string | null;
  @ApiProperty({ ...DATE, description: 'Until when the secret a rotation replaced still works.' })
  previous_key_expires_at!: string | null;
}

/** A new or rotated key: the secret is in this answer and nowhere else, ever. */
export class KeySecretDto extends KeyDto {
  @ApiProperty({ example: 'aik_2Qm0…', description: 'The secret, shown once: keep it now.' })
  key!: string;
}

export class KeyPageDto {
  @ApiProperty({ type: [KeyDto] }) items!: KeyDto[];
  @ApiProperty({ required: false, description: 'Pass as `cursor` to get the next page.' })
  next_cursor?: string;
}

export class AuditEntryDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({
    example: 'admin-token',
    description: '`admin-token`, or `client:<id>` for an admin key.',
  })
  actor!: string;
  @ApiProperty({ enum: ['create', 'update', 'revoke', 'rotate'] }) action!: string;
  @ApiProperty({ example: 'acme-prod' }) key_id!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { requests_per_minute: 60 },
    description: 'The fields set, with their new values (never a secret or a digest).',
  })
  changes!: Record<string, unknown>;
  @ApiProperty({ example: '10.0.0.7' }) remote_address!: string;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ required: false, description: 'Pass as `cursor` to get the next (older) page.' })
  next_cursor?: string;
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function toKeyDto(view: KeyView): KeyDto {
  if (view.source !== 'api') {
    const { client } = view;
    return {
      id: view.id,
      client_id: client.id,
      name: null,
      source: view.source,
      read_only: true,
      admin: client.admin === true,
      requests_per_minute: client.requestsPerMinute ?? null,
      tokens_per_minute: client.tokensPerMinute ?? null,
      tokens_per_day: null,
      tokens_per_month: null,
      created_at: null,
      updated_at: null,
      revoked_at: null,
      previous_key_expires_at: null,
    };
  }
  const { limits } = view;
  return {
    id: view.id,
    client_id: view.clientId,
    name: view.name,
    source: 'api',
    read_only: false,
    admin: view.admin,
    requests_per_minute: limits.requestsPerMinute,
    tokens_per_minute: limits.tokensPerMinute,
    tokens_per_day: limits.tokensPerDay,
    tokens_per_month: limits.tokensPerMonth,
    created_at: iso(view.createdAt),
    updated_at: iso(view.updatedAt),
    revoked_at: iso(view.revokedAt),
    previous_key_expires_at: iso(view.previousDigest ? view.previousNotAfter : null),
  };
}

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    key_id: entry.keyId,
    changes: entry.changes,
    remote_address: entry.remoteAddress,
    request_id: entry.requestId,
  };
}
