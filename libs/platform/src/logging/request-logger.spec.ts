import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { RequestLogger } from './request-logger.js';

function rootWriting(lines: string[]) {
  return pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
}

describe('RequestLogger', () => {
  it('builds no pino child until something is logged, then binds the request id and assigned fields', () => {
    const lines: string[] = [];
    const root = rootWriting(lines);
    let children = 0;
    const child = root.child.bind(root);
    root.child = ((...args: Parameters<typeof root.child>) => {
      children += 1;
      return child(...args);
    }) as typeof root.child;
    const logger = new RequestLogger(root, 'req-1').child({ clientId: 'acme' });
    expect(children).toBe(0);
    logger.info({ attempt: 2 }, 'retrying');
    logger.info('again');
    expect(children).toBe(1);
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(first).toMatchObject({
      requestId: 'req-1',
      clientId: 'acme',
      attempt: 2,
      msg: 'retrying',
    });
    expect(JSON.parse(lines[1])).toMatchObject({ requestId: 'req-1', clientId: 'acme' });
  });

  it('writes nothing, and builds nothing, below its level', () => {
    const lines: string[] = [];
    const logger = new RequestLogger(rootWriting(lines), 'req-2');
    logger.debug('hidden');
    expect(lines).toEqual([]);
  });
});
