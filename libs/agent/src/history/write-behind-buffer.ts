import type { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '@app/platform';

export interface WriteBehindOptions<T> {
  /** Names the metrics (`<name>_buffer_depth`, …) and the log lines (`<name> buffer full`). */
  name: string;
  /** Bounds: beyond either one the oldest items are dropped. */
  maxItems: number;
  maxBytes: number;
  keyOf(item: T): string;
  /** Estimated memory an item holds, in bytes. */
  sizeOf(item: T): number;
  /** Whether the store is worth trying now; while false, items wait. */
  isWritable(): boolean;
  /**
   * Stores a batch. Resolving settles every item of it (stored, or refused for good); rejecting
   * keeps them all for a retry, so `write` must be idempotent.
   */
  write(batch: T[]): Promise<void>;
  /** Items and bytes per write; a batch holds at least one item. */
  batchItems?: number;
  batchBytes?: number;
  retryMs?: number;
  /** Longest `close()` keeps writing before it gives up. */
  closeTimeoutMs?: number;
}

interface Entry<T> {
  item: T;
  bytes: number;
}

/**
 * A bounded write-behind buffer: `add` never waits on the store. Items are written in batches
 * as soon as the store is writable, retried while it is not, and written on `close()`. Bounded
 * in items and in bytes; when full, the oldest items are dropped, counted and logged once per
 * overflow (one line when it starts, one when there is room again).
 */
export class WriteBehindBuffer<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private totalBytes = 0;
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private overflowing = false;
  private droppedSinceOverflow = 0;
  private readonly depthGauge: Gauge;
  private readonly bytesGauge: Gauge;
  private readonly droppedCounter: Counter;
  private readonly batchItems: number;
  private readonly batchBytes: number;
  private readonly retryMs: number;
  private readonly closeTimeoutMs: number;

  constructor(
    private readonly options: WriteBehindOptions<T>,
    registry: MetricsRegistry,
    private readonly logger: PinoLogger,
  ) {
    this.batchItems = options.batchItems ?? 500;
    this.batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 500;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 3_000;
    const metric = `${options.name}_buffer`;
    this.depthGauge = new Gauge({
      name: `${metric}_depth`,
      help: `Items in the ${options.name} write-behind buffer, waiting to be written.`,
      registers: [registry],
    });
    this.bytesGauge = new Gauge({
      name: `${metric}_bytes`,
      help: `Estimated bytes held by the ${options.name} write-behind buffer.`,
      registers: [registry],
    });
    this.droppedCounter = new Counter({
      name: `${metric}_dropped_total`,
      help: `Items dropped unwritten because the ${options.name} write-behind buffer was full.`,
      registers: [registry],
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Queues `item` for writing, dropping the oldest items if the bounds require it. */
  add(item: T): void {
    const key = this.options.keyOf(item);
    const bytes = this.options.sizeOf(item);
    this.remove(key);
    if (bytes > this.options.maxBytes) {
      this.drop(); // could never fit: dropping it keeps the bound
      this.updateGauges();
      return;
    }
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.options.maxItems ||
        this.totalBytes + bytes > this.options.maxBytes)
    ) {
      this.remove(this.entries.keys().next().value as string);
      this.drop();
    }
    this.entries.set(key, { item, bytes });
    this.totalBytes += bytes;
    this.updateGauges();
    this.scheduleFlush(0);
  }

  /** A buffered item by key. */
  get(key: string): T | undefined {
    return this.entries.get(key)?.item;
  }

  /** Buffered items, oldest first. */
  *values(): IterableIterator<T> {
    for (const entry of this.entries.values()) yield entry.item;
  }

  /** Stops retrying and writes what is buffered while the store allows, within the close timeout. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const deadline = Date.now() + this.closeTimeoutMs;
    while (this.entries.size > 0 && Date.now() < deadline && this.options.isWritable()) {
      const before = this.entries.size;
      // The deadline's timer is cancelled once the flush wins: it must not outlive close().
      const timer = new AbortController();
      await Promise.race([
        this.flush(),
        sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).catch(
          () => undefined,
        ),
      ]);
      timer.abort();
      if (this.entries.size === before) await sleep(100);
    }
    if (this.entries.size > 0) {
      this.logger.error(
        { unwritten: this.entries.size },
        `${this.options.name} records could not be written before shutdown`,
      );
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.closed || this.flushing || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, delayMs);
    // Never keep the process alive just to retry.
    this.retryTimer.unref();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.entries.size > 0) this.scheduleFlush(this.retryMs);
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.entries.size > 0 && this.options.isWritable()) {
      const batch = this.nextBatch();
      try {
        await this.options.write(batch.map((e) => e.item));
      } catch {
        return; // the store reports its own state; the items wait for the retry
      }
      for (const entry of batch) this.settle(entry);
      this.updateGauges();
      if (this.overflowing && this.hasRoom()) this.endOverflow();
    }
  }

  private nextBatch(): Entry<T>[] {
    const batch: Entry<T>[] = [];
    let bytes = 0;
    for (const entry of this.entries.values()) {
      if (batch.length > 0 && bytes + entry.bytes > this.batchBytes) break;
      batch.push(entry);
      bytes += entry.bytes;
      if (batch.length === this.batchItems) break;
    }
    return batch;
  }

  /** Removes a written entry unless it was replaced or dropped meanwhile. */
  private settle(entry: Entry<T>): void {
    const key = this.options.keyOf(entry.item);
    if (this.entries.get(key) === entry) this.remove(key);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  private hasRoom(): boolean {
    return this.entries.size < this.options.maxItems && this.totalBytes < this.options.maxBytes;
  }

  private drop(): void {
    this.droppedCounter.inc();
    this.droppedSinceOverflow++;
    if (this.overflowing) return;
    this.overflowing = true;
    this.logger.warn(
      { maxItems: this.options.maxItems, maxBytes: this.options.maxBytes },
      `${this.options.name} buffer full: dropping the oldest unwritten records`,
    );
  }

  private endOverflow(): void {
    this.logger.warn(
      { dropped: this.droppedSinceOverflow },
      `${this.options.name} buffer has room again`,
    );
    this.overflowing = false;
    this.droppedSinceOverflow = 0;
  }

  private updateGauges(): void {
    this.depthGauge.set(this.entries.size);
    this.bytesGauge.set(this.totalBytes);
  }
}
