import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import fs, { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino, { type Logger } from 'pino';
import type { Environment } from '../config/environment.js';
import { createRootLogger } from './root-logger.js';

const env = { LOG_LEVEL: 'info', LOG_FORMAT: 'json', APP_VERSION: '9.9.9' } as Environment;

describe('createRootLogger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'root-logger-'));
  const loggers: Logger[] = [];
  // The destination owns its descriptor: ending it flushes what is left and closes it.
  afterEach(async () => {
    for (const logger of loggers.splice(0)) {
      const stream = (logger as unknown as Record<symbol, NodeJS.WritableStream>)[
        pino.symbols.streamSym
      ];
      const closed = new Promise((resolve) => stream.once('close', resolve));
      stream.end();
      await closed;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function loggerTo(name: string) {
    const path = join(dir, name);
    const logger = createRootLogger(env, openSync(path, 'a'));
    loggers.push(logger);
    return { logger, read: () => readFileSync(path, 'utf8') };
  }

  it('writes a lone line soon, with no later line to push it out', async () => {
    const { logger, read } = loggerTo('lone.log');
    logger.info({ requestId: 'r-1' }, 'request completed');
    expect(read()).toBe('');
    const deadline = Date.now() + 2_000;
    while (read() === '' && Date.now() < deadline) await sleep(20);
    const line = JSON.parse(read()) as Record<string, unknown>;
    expect(line).toMatchObject({
      requestId: 'r-1',
      msg: 'request completed',
      service: 'ai-agent-service',
      version: '9.9.9',
    });
  });

  it('makes no writes while idle: nothing buffered, no empty write every flush period', async () => {
    const { logger, read } = loggerTo('idle.log');
    const stream = (logger as unknown as Record<symbol, NodeJS.EventEmitter>)[
      pino.symbols.streamSym
    ];
    const writes: number[] = [];
    stream.on('write', (bytes: number) => writes.push(bytes));
    logger.info('one line');
    const deadline = Date.now() + 2_000;
    while (read() === '' && Date.now() < deadline) await sleep(20);
    const before = writes.length;
    await sleep(450);
    expect(writes.slice(before)).toEqual([]);
    expect(writes.filter((bytes) => bytes > 0)).toHaveLength(1);
  });

  it('writes a line buffered while a write is still in flight', async () => {
    const { logger, read } = loggerTo('slow-flush.log');
    const stream = (logger as unknown as Record<symbol, NodeJS.EventEmitter & { fd: number }>)[
      pino.symbols.streamSym
    ];
    // Writes to this file take longer than a flush period (a busy thread pool).
    const write = fs.write;
    const slowWrites = (...args: unknown[]) => {
      const go = () => (write as (...a: unknown[]) => void)(...args);
      if (args[0] === stream.fd) setTimeout(go, 250);
      else go();
    };
    fs.write = slowWrites as typeof fs.write;
    try {
      logger.info('first');
      const deadline = Date.now() + 3_000;
      // The first flush period has passed: the line's write is in flight for 250 ms.
      await sleep(150);
      logger.info('second');
      while (!read().includes('second') && Date.now() < deadline) await sleep(20);
      expect(read()).toContain('"msg":"first"');
      expect(read()).toContain('"msg":"second"');
    } finally {
      fs.write = write;
    }
  });

  it('writes a burst of lines whole and in order', async () => {
    const { logger, read } = loggerTo('burst.log');
    for (let i = 0; i < 500; i++) logger.info({ n: i }, 'line');
    const deadline = Date.now() + 2_000;
    while (read().split('\n').length < 501 && Date.now() < deadline) await sleep(20);
    const lines = read().trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
  });
});
