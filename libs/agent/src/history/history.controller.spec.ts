import { describe, expect, it } from '@jest/globals';
import { NotFoundException, type PipeTransform } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { ProblemException } from '@app/platform';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { HistoryController } from './history.controller.js';
import type { HistoryPage, QueryHistory } from './query-history.js';
import { ListQueriesDto } from './query-record.dto.js';
import { estimateRecordBytes, type QueryRecord } from './query-record.js';

const record: QueryRecord = {
  id: '0b6c1c0e-8f3a-4d2b-9f7e-1a2b3c4d5e6f',
  createdAt: new Date('2026-03-04T05:06:07.089Z'),
  requestId: 'req-1',
  clientId: 'acme',
  conversationId: null,
  outcome: 'answered',
  provider: 'builtin',
  model: 'builtin-echo',
  prompt: 'hello',
  response: 'world!',
  promptChars: 5,
  responseChars: 6,
  promptSha256: 'ab'.repeat(32),
  maxTokens: 100,
  promptTokens: 2,
  completionTokens: 3,
  tokensUsed: 5,
  latencyMs: 1.5,
  cacheStatus: 'MISS',
};

const body = {
  id: record.id,
  created_at: '2026-03-04T05:06:07.089Z',
  request_id: 'req-1',
  client_id: 'acme',
  conversation_id: null,
  outcome: 'answered',
  provider: 'builtin',
  model: 'builtin-echo',
  prompt: 'hello',
  response: 'world!',
  prompt_chars: 5,
  response_chars: 6,
  prompt_sha256: 'ab'.repeat(32),
  max_tokens: 100,
  prompt_tokens: 2,
  completion_tokens: 3,
  tokens_used: 5,
  latency_ms: 1.5,
  cache_status: 'MISS',
};

/** A history that answers with fixed results and records how it was asked. */
function historyAnswering(page: HistoryPage, found?: QueryRecord) {
  const calls: unknown[][] = [];
  const history: QueryHistory = {
    record: () => undefined,
    list: (...args) => {
      calls.push(['list', ...args]);
      return Promise.resolve(page);
    },
    get: (...args) => {
      calls.push(['get', ...args]);
      return Promise.resolve(found);
    },
  };
  return { controller: new HistoryController(history), calls };
}

describe('HistoryController', () => {
  it('lists 20 records by default, for every client when running without keys', async () => {
    const { controller, calls } = historyAnswering({ items: [record] });
    expect(await controller.list({}, null)).toEqual({ items: [body] });
    expect(calls).toEqual([['list', 20, undefined, undefined]]);
  });

  it('leaves next_cursor out of the last page', async () => {
    const { controller } = historyAnswering({ items: [record] });
    expect(Object.keys(await controller.list({}, null))).toEqual(['items']);
  });

  it('passes limit, cursor and the client on, and returns the next cursor snake_cased', async () => {
    const { controller, calls } = historyAnswering({ items: [record], nextCursor: 'abc' });
    expect(await controller.list({ limit: 1, cursor: 'xyz' }, 'acme')).toEqual({
      items: [body],
      next_cursor: 'abc',
    });
    expect(calls).toEqual([['list', 1, 'xyz', 'acme']]);
  });

  it('returns one record as its snake_case body, looked up for the calling client', async () => {
    const { controller, calls } = historyAnswering({ items: [] }, record);
    expect(await controller.get(record.id, 'acme')).toEqual(body);
    expect(calls).toEqual([['get', record.id, 'acme']]);
  });

  it('answers 404 for an unknown record, looked up across clients without keys', async () => {
    const { controller, calls } = historyAnswering({ items: [] });
    await expect(controller.get(record.id, null)).rejects.toBeInstanceOf(NotFoundException);
    await expect(controller.get(record.id, null)).rejects.toThrow(`No query with id ${record.id}`);
    expect(calls).toEqual([
      ['get', record.id, undefined],
      ['get', record.id, undefined],
    ]);
  });
});

describe('HistoryController id parameter', () => {
  /** The pipes Nest runs on the `id` route parameter of GET /queries/:id. */
  function idPipes(): PipeTransform[] {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, HistoryController, 'get') as Record<
      string,
      { data?: unknown; pipes: PipeTransform[] }
    >;
    return Object.values(args).find((arg) => arg.data === 'id')?.pipes ?? [];
  }
  const transform = async (value: string) => {
    let result: unknown = value;
    for (const pipe of idPipes()) {
      result = await pipe.transform(result, { type: 'param', data: 'id' });
    }
    return result;
  };

  it('lets a UUID through unchanged', async () => {
    expect(await transform(record.id)).toBe(record.id);
  });

  it('answers 400 naming the id field for anything but a UUID', async () => {
    const error = await transform('42').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProblemException);
    const problem = error as ProblemException;
    expect(problem.getStatus()).toBe(400);
    expect(problem.detail).toBe('id must be a UUID');
    expect(problem.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });
});

describe('ListQueriesDto', () => {
  const errors = (query: Record<string, unknown>) =>
    validateSync(plainToInstance(ListQueriesDto, query)).flatMap((e) =>
      Object.values(e.constraints ?? {}),
    );

  it('accepts no parameters, and limits 1 and 100 given as query strings', () => {
    expect(errors({})).toEqual([]);
    expect(errors({ limit: '1' })).toEqual([]);
    expect(errors({ limit: '100', cursor: 'c'.repeat(256) })).toEqual([]);
    expect(plainToInstance(ListQueriesDto, { limit: '7' }).limit).toBe(7);
  });

  it.each([
    ['0', 'limit must be between 1 and 100'],
    ['101', 'limit must be between 1 and 100'],
    ['2.5', 'limit must be an integer'],
  ])('rejects limit %s', (limit, message) => {
    expect(errors({ limit })).toContain(message);
  });

  it('rejects a cursor over 256 characters', () => {
    expect(errors({ cursor: 'c'.repeat(257) })).toHaveLength(1);
  });
});

describe('estimateRecordBytes', () => {
  it('counts two bytes per character of the kept texts plus a fixed overhead', () => {
    const bare = {
      ...record,
      prompt: null,
      response: null,
      requestId: null,
      model: '',
      provider: '',
    };
    expect(estimateRecordBytes(bare)).toBe(1024);
    // prompt 5 + response 6 + request id 5 + model 12 + provider 7 = 35 characters.
    expect(estimateRecordBytes(record)).toBe(1024 + 2 * 35);
  });
});
