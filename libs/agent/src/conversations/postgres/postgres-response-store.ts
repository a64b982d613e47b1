import type { OnModuleDestroy } from '@nestjs/common';
import {
  storedBytes,
  type ResponseStore,
  type ResponseStoreLimits,
  type StoredResponse,
} from '../../openai/responses/response-store.js';
import type { PostgresAccess } from './postgres-access.js';

/**
 * The stored responses of `/v1/responses` in PostgreSQL, shared by every replica; expired ones
 * are purged. A response larger than the store's byte bound is not kept, as in process.
 * A failed write does not fail the answer it keeps: the database's state is reported to
 * /ready and the response is simply not found later.
 */
export class PostgresResponseStore implements ResponseStore, OnModuleDestroy {
  constructor(
    private readonly db: PostgresAccess,
    private readonly limits: ResponseStoreLimits,
  ) {
    db.startPurging('stored_responses');
  }

  onModuleDestroy(): void {
    this.db.stopPurging();
  }

  async put(id: string, stored: StoredResponse): Promise<void> {
    const bytes = storedBytes(stored);
    if (bytes > this.limits.maxBytes) return;
    const body = {
      response: stored.response,
      inputItems: stored.inputItems,
      messages: stored.messages,
    };
    await this.db
      .sql(
        `INSERT INTO stored_responses (id, client_id, created_at, expires_at, body, bytes)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET client_id = $2, created_at = $3, expires_at = $4, body = $5, bytes = $6`,
        [
          id,
          stored.clientId,
          new Date(this.db.now()),
          this.db.after(this.limits.ttlSeconds),
          JSON.stringify(body),
          bytes,
        ],
      )
      .catch(() => undefined);
  }

  async get(id: string, clientId: string | null): Promise<StoredResponse | undefined> {
    const rows = await this.db.sql<{ body: Omit<StoredResponse, 'clientId'> }>(
      `SELECT body FROM stored_responses
       WHERE id = $1 AND client_id IS NOT DISTINCT FROM $2::varchar AND expires_at > $3`,
      [id, clientId, new Date(this.db.now())],
    );
    return rows[0] && { clientId, ...rows[0].body };
  }

  async delete(id: string, clientId: string | null): Promise<boolean> {
    return this.db.deleteOwned('stored_responses', id, clientId);
  }
}
