import type { PinoLogger } from 'nestjs-pino';
import { randomBytes } from 'node:crypto';
import { apiKeyDigest, generateApiKey } from '../keys/api-key.js';
import type { KeyRegistry } from '../keys/key-registry.js';
import { adminProblems } from './admin-problem.js';
import type { KeySync } from './key-sync.js';
import { configuredKeys, snake, type KeyView } from './key-view.js';
import {
  DuplicateKeyError,
  KeyStoreFullError,
  type AuditAction,
  type AuditEntry,
  type AuditSource,
  type KeyPatch,
  type KeyStore,
  type ManagedKey,
  type ManagedLimits,
} from './managed-key.js';

/** What a new key may specify; the rest is generated. */
export interface NewKey {
  id?: string;
  clientId?: string;
  name?: string;
  admin?: boolean;
  limits: ManagedLimits;
}

/** Managed keys' use-cases: every change stored with its audit entry, logged, and spread. */
export class KeyAdminService {
  constructor(
    private readonly store: KeyStore,
    private readonly registry: KeyRegistry,
    private readonly sync: KeySync,
    private readonly logger: PinoLogger,
    private readonly defaultGraceSeconds: number,
  ) {}

  async create(input: NewKey, source: AuditSource): Promise<{ key: ManagedKey; secret: string }> {
    const secret = generateApiKey();
    const now = new Date();
    const id = input.id ?? `key_${randomBytes(8).toString('hex')}`;
    const key: ManagedKey = {
      id,
      clientId: input.clientId ?? id,
      name: input.name ?? null,
      admin: input.admin ?? false,
      limits: input.limits,
      digest: apiKeyDigest(secret).toString('hex'),
      previousDigest: null,
      previousNotAfter: null,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    };
    const changes = {
      client_id: key.clientId,
      name: key.name,
      admin: key.admin,
      ...snake(key.limits),
    };
    const entry = await this.guard(() =>
      this.store.insert(key, this.draft('create', id, changes, source)),
    );
    await this.changed(entry);
    return { key, secret };
  }

  async list(limit: number, afterId?: string): Promise<{ items: KeyView[]; next?: string }> {
    const configured = configuredKeys(this.registry)
      .filter((k) => afterId === undefined || k.id > afterId)
      .slice(0, limit);
    const managed = await this.guard(() => this.store.list(limit, afterId));
    const items = [...configured, ...managed.map((k) => ({ ...k, source: 'api' as const }))]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
    return items.length === limit ? { items, next: items[limit - 1].id } : { items };
  }

  async show(id: string): Promise<KeyView> {
    const configured = configuredKeys(this.registry).find((k) => k.id === id);
    if (configured) return configured;
    const key = await this.guard(() => this.store.get(id));
    if (!key) throw adminProblems.notFound(id);
    return { ...key, source: 'api' };
  }

  update(
    id: string,
    patch: Pick<KeyPatch, 'name' | 'limits'>,
    source: AuditSource,
  ): Promise<ManagedKey> {
    const changes = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...snake(patch.limits ?? {}),
    };
    return this.change(id, patch, this.draft('update', id, changes, source));
  }

  revoke(id: string, source: AuditSource): Promise<ManagedKey> {
    return this.change(id, { revokedAt: new Date() }, this.draft('revoke', id, {}, source));
  }

  async rotate(
    id: string,
    graceSeconds: number | undefined,
    source: AuditSource,
  ): Promise<{ key: ManagedKey; secret: string }> {
    const current = await this.changeable(id);
    const grace = graceSeconds ?? this.defaultGraceSeconds;
    const secret = generateApiKey();
    const patch: KeyPatch = {
      digest: apiKeyDigest(secret).toString('hex'),
      previousDigest: grace > 0 ? current.digest : null,
      previousNotAfter: grace > 0 ? new Date(Date.now() + grace * 1000) : null,
    };
    const key = await this.change(
      id,
      patch,
      this.draft('rotate', id, { grace_seconds: grace }, source),
    );
    return { key, secret };
  }

  audit(limit: number, beforeId?: string, keyId?: string): Promise<AuditEntry[]> {
    return this.guard(() => this.store.audit(limit, beforeId, keyId));
  }

  private async change(
    id: string,
    patch: KeyPatch,
    draft: ReturnType<KeyAdminService['draft']>,
  ): Promise<ManagedKey> {
    await this.changeable(id);
    const done = await this.guard(() => this.store.update(id, patch, draft));
    if (!done) throw adminProblems.revoked(id); // revoked meanwhile by someone else
    await this.changed(done.entry);
    return done.key;
  }

  /** The managed key `id` when it may change: 404 unknown, 409 read-only or revoked. */
  private async changeable(id: string): Promise<ManagedKey> {
    if (configuredKeys(this.registry).some((k) => k.id === id)) throw adminProblems.readOnly();
    const key = await this.guard(() => this.store.get(id));
    if (!key) throw adminProblems.notFound(id);
    if (key.revokedAt) throw adminProblems.revoked(id);
    return key;
  }

  private draft(
    action: AuditAction,
    keyId: string,
    changes: Record<string, unknown>,
    source: AuditSource,
  ) {
    return { ...source, action, keyId, changes };
  }

  /** One log line per change: who, what and which fields, never a value, secret or digest. */
  private async changed(entry: AuditEntry): Promise<void> {
    this.logger.info(
      {
        audit: {
          id: entry.id,
          action: entry.action,
          key_id: entry.keyId,
          actor: entry.actor,
          fields: Object.keys(entry.changes),
          remote_address: entry.remoteAddress,
        },
      },
      'API key changed',
    );
    await this.sync.changed(entry.keyId);
  }

  /** Store failures other than the expected ones are an outage: 503. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw adminProblems.duplicate(error.message);
      if (error instanceof KeyStoreFullError) throw adminProblems.full();
      this.logger.error({ err: error }, 'key store request failed');
      throw adminProblems.unavailable();
    }
  }
}
