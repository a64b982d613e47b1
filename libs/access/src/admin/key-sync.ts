import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { PinoLogger } from 'nestjs-pino';
import type { KeyRegistry } from '../keys/key-registry.js';
import { KeyTable, type TableKey } from '../keys/key-table.js';
import type { KeyStore, ManagedKey } from './managed-key.js';

/** How often the store's change marker is read: a revocation reaches every replica within it. */
export const KEY_POLL_MS = 500;

/**
 * Keeps the registry's table of managed keys in step with the store: right after a change on
 * this replica, on a Redis message from another one, and whenever the store's change marker
 * moves (polled, so a revocation is seen within a second even while Redis is down).
 */
export class KeySync implements OnApplicationBootstrap, OnApplicationShutdown {
  private marker: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private failing = false;

  constructor(
    private readonly store: KeyStore,
    private readonly registry: KeyRegistry,
    private readonly logger: PinoLogger,
    private readonly pubsub?: { client: Redis; channel: string },
    private readonly pollMs = KEY_POLL_MS,
  ) {}

  onApplicationBootstrap(): void {
    if (this.store.usable) void this.refresh();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    if (this.pubsub && this.store.shared) this.subscribe(this.pubsub.client, this.pubsub.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
    await this.refreshing;
  }

  /** A key changed on this replica: apply it here, and tell the others. */
  async changed(keyId: string): Promise<void> {
    if (this.pubsub && this.store.shared) {
      this.pubsub.client.publish(this.pubsub.channel, keyId).catch(() => undefined);
    }
    await this.refresh();
  }

  /** Reloads the managed keys; a refresh asked for meanwhile runs once more afterwards. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.load();
      } while (this.refreshAgain);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async poll(): Promise<void> {
    if (this.refreshing || !this.store.usable) return;
    try {
      if ((await this.store.marker()) !== this.marker) await this.refresh();
    } catch (error) {
      this.degraded(error);
    }
  }

  private async load(): Promise<void> {
    try {
      // The marker first: a change between the two reads is picked up by the next poll.
      const marker = await this.store.marker();
      const keys = await this.store.active();
      this.registry.setManagedKeys(KeyTable.of(keys.flatMap(tableKeys)));
      this.marker = marker;
      if (this.failing) this.logger.info('managed API keys in step with the key store again');
      this.failing = false;
    } catch (error) {
      this.degraded(error);
    }
  }

  /** Logged once per outage: the keys last read stay in force meanwhile. */
  private degraded(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      { err: error },
      'managed API keys not refreshed: the key store is unreachable, the keys last read stay in force',
    );
  }

  private subscribe(client: Redis, channel: string): void {
    // A connection of its own: a subscribed connection can run no other command.
    const subscriber = client.duplicate({ enableOfflineQueue: true, lazyConnect: true });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // the shared client's monitor reports Redis
    subscriber.on('message', () => void this.refresh());
    // Messages sent while disconnected are lost: catch up on every (re)connection.
    subscriber.on('ready', () => void this.refresh());
    subscriber.subscribe(channel).catch(() => undefined);
    subscriber.connect().catch(() => undefined);
  }
}

/** The secrets a managed key authenticates with: its own, and a rotated one in its grace. */
function tableKeys(key: ManagedKey): TableKey[] {
  const client = {
    id: key.clientId,
    ...(key.admin ? { admin: true } : {}),
    ...Object.fromEntries(Object.entries(key.limits).filter(([, v]) => v !== null)),
  };
  const keys: TableKey[] = [{ digest: Buffer.from(key.digest, 'hex'), client }];
  if (key.previousDigest && key.previousNotAfter) {
    const notAfter = key.previousNotAfter.getTime();
    if (notAfter > Date.now()) {
      keys.push({ digest: Buffer.from(key.previousDigest, 'hex'), client, notAfter });
    }
  }
  return keys;
}
