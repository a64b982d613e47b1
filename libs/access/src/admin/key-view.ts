import type { KeyRegistry } from '../keys/key-registry.js';
import type { TableKey } from '../keys/key-table.js';
import type { ManagedKey, ManagedLimits } from './managed-key.js';

/** A key as the API shows it: a managed one, or one configured by API_KEYS / API_KEYS_FILE. */
export type KeyView =
  (ManagedKey & { source: 'api' }) | (TableKey & { id: string; source: 'environment' | 'file' });

/** The keys of API_KEYS / API_KEYS_FILE by id: `<source>:<first 8 hex of the digest>`. */
export function configuredKeys(registry: KeyRegistry): KeyView[] {
  return registry
    .configuredKeys()
    .map((k) => ({
      ...k,
      id: `${k.origin}:${k.digest.toString('hex', 0, 4)}`,
      source: k.origin ?? 'environment',
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

const SNAKE: Record<keyof ManagedLimits, string> = {
  requestsPerMinute: 'requests_per_minute',
  tokensPerMinute: 'tokens_per_minute',
  tokensPerDay: 'tokens_per_day',
  tokensPerMonth: 'tokens_per_month',
};

/** Limits under the API's field names (the audit's `changes`). */
export function snake(limits: Partial<ManagedLimits>): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(limits)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [SNAKE[k as keyof ManagedLimits], v]),
  );
}
