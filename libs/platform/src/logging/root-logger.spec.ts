import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
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
    // At most one more (empty) flush finds what that write left behind: nothing.
    await sleep(250);
    const before = writes.length;
    await sleep(450);
    expect(writes.slice(before)).toEqual([]);
    expect(writes.filter((bytes) => bytes > 0)).toHaveLength(1);
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
