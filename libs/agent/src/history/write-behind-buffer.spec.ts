import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry } from '@app/platform';
import { WriteBehindBuffer, type WriteBehindOptions } from './write-behind-buffer.js';

interface Item {
  id: string;
  bytes: number;
}
const item = (n: number, bytes = 10): Item => ({ id: `i${n}`, bytes });

/** A store the test controls: writes succeed unless `down`, and are recorded batch by batch. */
function makeStore() {
  const store = { down: false, writable: true, batches: [] as string[][] };
  const write = (batch: Item[]): Promise<void> => {
    if (store.down) return Promise.reject(new Error('store down'));
    store.batches.push(batch.map((i) => i.id));
    return Promise.resolve();
  };
  return { store, write };
}

/** A buffer over a store the test controls, with its registry, logger and a metric reader. */
function makeBuffer(options: Partial<WriteBehindOptions<Item>>) {
  const { store, write } = makeStore();
  const registry = new MetricsRegistry();
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
  const buffer = new WriteBehindBuffer<Item>(
    {
      name: 'test',
      maxItems: 100,
      maxBytes: 1_000,
      keyOf: (i) => i.id,
      sizeOf: (i) => i.bytes,
      isWritable: () => store.writable,
      write,
      retryMs: 50,
      closeTimeoutMs: 500,
      ...options,
    },
    registry,
    logger as unknown as PinoLogger,
  );
  const metric = async (name: string) =>
    Number((await registry.getSingleMetricAsString(name)).split(' ').at(-1));
  return { store, registry, logger, metric, buffer };
}

describe('WriteBehindBuffer', () => {
  let buffer: WriteBehindBuffer<Item> | undefined;
  afterEach(async () => {
    await buffer?.close();
    buffer = undefined;
  });

  const make = (options: Partial<WriteBehindOptions<Item>> = {}) => {
    const made = makeBuffer({ maxItems: 100, maxBytes: 1_000, ...options });
    buffer = made.buffer;
    return made;
  };

  it('writes added items in the background, oldest first, and empties itself', async () => {
    const { store, metric } = make();
    for (let i = 0; i < 3; i++) buffer!.add(item(i));
    expect(buffer!.size).toBe(3);
    await sleep(20);
    expect(store.batches.flat()).toEqual(['i0', 'i1', 'i2']);
    expect(buffer!.size).toBe(0);
    expect(buffer!.bytes).toBe(0);
    expect(await metric('test_buffer_depth')).toBe(0);
  });

  it('splits writes into batches bounded by items and by bytes', async () => {
    const { store } = make({ batchItems: 2, batchBytes: 25 });
    store.writable = false;
    buffer!.add(item(0, 10));
    buffer!.add(item(1, 10));
    buffer!.add(item(2, 10));
    buffer!.add(item(3, 20));
    buffer!.add(item(4, 30)); // larger than a batch on its own: sent alone
    store.writable = true;
    await sleep(100);
    expect(store.batches).toEqual([['i0', 'i1'], ['i2'], ['i3'], ['i4']]);
  });

  it('keeps items (readable) while the store fails, and writes them once it recovers', async () => {
    const { store, metric } = make();
    store.down = true;
    buffer!.add(item(1));
    buffer!.add(item(2));
    await sleep(80);
    expect(store.batches).toEqual([]);
    expect(buffer!.get('i1')).toEqual(item(1));
    expect([...buffer!.values()].map((i) => i.id)).toEqual(['i1', 'i2']);
    expect(await metric('test_buffer_depth')).toBe(2);
    expect(await metric('test_buffer_bytes')).toBe(20);
    store.down = false;
    await sleep(120);
    expect(store.batches.flat()).toEqual(['i1', 'i2']);
    expect(buffer!.size).toBe(0);
  });

  it('drops the oldest items beyond its item bound, counts them and logs once', async () => {
    const { store, metric, logger } = make({ maxItems: 2 });
    store.writable = false;
    for (let i = 0; i < 5; i++) buffer!.add(item(i));
    expect([...buffer!.values()].map((i) => i.id)).toEqual(['i3', 'i4']);
    expect(await metric('test_buffer_dropped_total')).toBe(3);
    expect(await metric('test_buffer_depth')).toBe(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toBe(
      'test buffer full: dropping the oldest unwritten records',
    );
  });

  it('drops the oldest items beyond its byte bound and never holds more bytes', async () => {
    const { store, metric } = make({ maxBytes: 100 });
    store.writable = false;
    for (let i = 0; i < 10; i++) {
      buffer!.add(item(i, 30));
      expect(buffer!.bytes).toBeLessThanOrEqual(100);
    }
    expect([...buffer!.values()].map((i) => i.id)).toEqual(['i7', 'i8', 'i9']);
    expect(await metric('test_buffer_bytes')).toBe(90);
    expect(await metric('test_buffer_dropped_total')).toBe(7);
  });

  it('refuses an item larger than the byte bound without dropping the others', async () => {
    const { store, metric } = make({ maxBytes: 100 });
    store.writable = false;
    buffer!.add(item(1, 50));
    buffer!.add(item(2, 101));
    expect([...buffer!.values()].map((i) => i.id)).toEqual(['i1']);
    expect(await metric('test_buffer_dropped_total')).toBe(1);
  });

  it('logs when there is room again, with the number dropped meanwhile', async () => {
    const { store, logger } = make({ maxItems: 2 });
    store.writable = false;
    for (let i = 0; i < 4; i++) buffer!.add(item(i));
    store.writable = true;
    buffer!.add(item(9));
    await sleep(150); // the next retry writes

    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1]).toEqual([{ dropped: 3 }, 'test buffer has room again']);
  });

  it('replaces an item added twice under the same key', () => {
    const { store } = make();
    store.writable = false;
    buffer!.add({ id: 'same', bytes: 10 });
    buffer!.add({ id: 'same', bytes: 40 });
    expect(buffer!.size).toBe(1);
    expect(buffer!.bytes).toBe(40);
  });

  it('writes what is buffered on close', async () => {
    const { store } = make({ retryMs: 60_000 });
    store.down = true;
    buffer!.add(item(1));
    await sleep(20); // the first attempt failed; the next retry is a minute away
    store.down = false;
    await buffer!.close();
    expect(store.batches.flat()).toEqual(['i1']);
    expect(buffer!.size).toBe(0);
  });

  it('logs how many items it could not write when the store stays down through close', async () => {
    const { store, logger } = make({ closeTimeoutMs: 200 });
    store.writable = false;
    buffer!.add(item(1));
    buffer!.add(item(2));
    await buffer!.close();
    expect(logger.error).toHaveBeenCalledWith(
      { unwritten: 2 },
      'test records could not be written before shutdown',
    );
    buffer!.add(item(3)); // closed: kept, but no longer written in the background
    await sleep(50);
    expect(store.batches).toEqual([]);
  });
});

describe('WriteBehindBuffer bounds and batches', () => {
  let buffer: WriteBehindBuffer<Item> | undefined;
  afterEach(async () => {
    await buffer?.close();
    buffer = undefined;
  });

  const make = (options: Partial<WriteBehindOptions<Item>> = {}) => {
    const made = makeBuffer({ maxItems: 1_000, maxBytes: 100_000_000, ...options });
    buffer = made.buffer;
    return made;
  };

  it('keeps an item exactly as large as the byte bound, and items that fill it exactly', () => {
    const { store } = make({ maxBytes: 100 });
    store.writable = false;
    buffer!.add(item(1, 100));
    expect(buffer!.size).toBe(1);
    buffer!.add(item(2, 50));
    buffer!.add(item(3, 50));
    expect([...buffer!.values()].map((i) => i.id)).toEqual(['i2', 'i3']);
    expect(buffer!.bytes).toBe(100);
  });

  it('writes 500 items and 4 MiB per batch by default', async () => {
    const { store } = make();
    store.writable = false;
    for (let i = 0; i < 501; i++) buffer!.add(item(i, 1));
    buffer!.add(item(1000, 2 * 1024 * 1024));
    buffer!.add(item(1001, 2 * 1024 * 1024));
    store.writable = true;
    await sleep(150);
    expect(store.batches.map((b) => b.length)).toEqual([500, 2, 1]);
    expect(store.batches[1]).toEqual(['i500', 'i1000']);
  });

  it('fills a batch up to exactly its byte budget', async () => {
    const { store } = make({ batchBytes: 20 });
    store.writable = false;
    for (let i = 0; i < 3; i++) buffer!.add(item(i, 10));
    store.writable = true;
    await sleep(100);
    expect(store.batches).toEqual([['i0', 'i1'], ['i2']]);
  });

  it('keeps an item replaced while its older version was being written', async () => {
    let release: () => void = () => undefined;
    const written: string[] = [];
    const { store } = make({
      write: (batch) => {
        written.push(...batch.map((i) => `${i.id}:${i.bytes}`));
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    buffer!.add(item(1, 10));
    await sleep(20); // the write of the first version is under way
    buffer!.add(item(1, 30));
    release();
    await sleep(20);
    expect(buffer!.get('i1')).toEqual(item(1, 30));
    expect(buffer!.bytes).toBe(30);
    release();
    store.writable = true;
    await sleep(100);
    release();
    expect(written).toEqual(['i1:10', 'i1:30']);
  });

  it('logs nothing while it never overflows', async () => {
    const { logger } = make({ maxItems: 5 });
    for (let i = 0; i < 3; i++) buffer!.add(item(i));
    await sleep(30);
    expect(buffer!.size).toBe(0);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('starts counting anew after each overflow', async () => {
    const { store, logger } = make({ maxItems: 2 });
    store.writable = false;
    for (let i = 0; i < 4; i++) buffer!.add(item(i)); // two dropped
    store.writable = true;
    await sleep(100);
    store.writable = false;
    for (let i = 10; i < 13; i++) buffer!.add(item(i)); // one dropped
    store.writable = true;
    await sleep(100);
    const messages = logger.warn.mock.calls.map((call) => call[1]);
    expect(messages).toEqual([
      'test buffer full: dropping the oldest unwritten records',
      'test buffer has room again',
      'test buffer full: dropping the oldest unwritten records',
      'test buffer has room again',
    ]);
    expect(logger.warn.mock.calls[0][0]).toEqual({ maxItems: 2, maxBytes: 100_000_000 });
    expect(logger.warn.mock.calls[1][0]).toEqual({ dropped: 2 });
    expect(logger.warn.mock.calls[3][0]).toEqual({ dropped: 1 });
  });

  it('describes its metrics by name', async () => {
    const { registry } = make();
    const text = await registry.metrics();
    expect(text).toContain(
      '# HELP test_buffer_depth Items in the test write-behind buffer, waiting to be written.',
    );
    expect(text).toContain(
      '# HELP test_buffer_bytes Estimated bytes held by the test write-behind buffer.',
    );
    expect(text).toContain(
      '# HELP test_buffer_dropped_total Items dropped unwritten because the test write-behind buffer was full.',
    );
  });

  it('gives up writing on close after its timeout, while the store keeps failing', async () => {
    const { store, logger } = make({ closeTimeoutMs: 150 });
    store.down = true;
    buffer!.add(item(1));
    const started = Date.now();
    await buffer!.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_000);
    expect(logger.error).toHaveBeenCalledWith(
      { unwritten: 1 },
      'test records could not be written before shutdown',
    );
  });

  it('closes at once when nothing is buffered', async () => {
    const { logger } = make({ closeTimeoutMs: 5_000 });
    const started = Date.now();
    await buffer!.close();
    expect(Date.now() - started).toBeLessThan(100);
    expect(logger.error).not.toHaveBeenCalled();
  });
});
