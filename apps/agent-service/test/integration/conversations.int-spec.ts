import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI, { NotFoundError } from 'openai';
import { DataSource } from 'typeorm';
import { loadAgentSchema } from '@app/agent';
import type { PinoLogger } from 'nestjs-pino';
import {
  DependencyMonitor,
  loadEnvironment,
  MetricsRegistry,
  type ProblemException,
} from '@app/platform';
import { databaseConfig, postgresOptions, type DatabaseConnector } from '@app/platform/database';
import { PostgresAccess } from '../../../../libs/agent/src/conversations/postgres/postgres-access.js';
import { PostgresConversationStore } from '../../../../libs/agent/src/conversations/postgres/postgres-conversation-store.js';
import { PostgresResponseStore } from '../../../../libs/agent/src/conversations/postgres/postgres-response-store.js';
import { TestDatabase } from '../support/servers.js';
import { ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../support/wait.js';

const user = (text: string) => ({ type: 'message' as const, role: 'user' as const, content: text });

/** Conversations and stored responses in a real PostgreSQL: shared by replicas, kept across restarts. */
describe('conversations in PostgreSQL', () => {
  let db: TestDatabase;
  const services: ServiceProcess[] = [];
  const boot = async () => {
    const service = await ServiceProcess.start({
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      DATABASE_MIGRATE_ON_START: 'true',
      CONVERSATION_MAX_BYTES: '4kb',
    });
    services.push(service);
    await waitFor('database ready', async () => (await fetch(`${service.url}/ready`)).ok, 20_000);
    return {
      service,
      client: new OpenAI({ baseURL: `${service.url}/v1`, apiKey: 'sk-unused', maxRetries: 0 }),
    };
  };

  beforeAll(async () => {
    db = await TestDatabase.create();
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
  });
  afterAll(() => db.drop());

  it('shares conversations and responses between two processes, and keeps them across a restart', async () => {
    const [a, b] = await Promise.all([boot(), boot()]);
    const conversation = await a.client.conversations.create({ items: [user('my name is Ada')] });
    const answered = await b.client.responses.create({
      model: 'builtin-echo',
      input: 'what is my name?',
      conversation: conversation.id,
    });
    const continued = await a.client.responses.create({
      model: 'builtin-echo',
      input: 'and again',
      previous_response_id: answered.id,
    });
    expect(continued.previous_response_id).toBe(answered.id);
    const query = await a.service.query({
      prompt: 'a plain turn',
      conversation_id: conversation.id,
    });
    expect(query.status).toBe(200);
    const { id: queryId } = (await query.json()) as { id: string };

    await Promise.all(services.splice(0).map((s) => s.stop()));
    const c = await boot();
    const items = await c.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((i) => (i.type === 'message' ? i.role : i.type))).toEqual([
      'user',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(items.data[2].id).toBe(answered.output[0].id);
    expect((await c.client.responses.retrieve(continued.id)).output_text).toBe(
      continued.output_text,
    );
    const [row] = await db.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM query_history WHERE id = $1',
      [queryId],
    );
    expect(row.conversation_id).toBe(conversation.id);

    await c.client.responses.delete(continued.id);
    await expect(c.client.responses.retrieve(continued.id)).rejects.toBeInstanceOf(NotFoundError);
    await c.client.conversations.delete(conversation.id);
    await expect(c.client.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const left = await db.query('SELECT 1 FROM conversation_items WHERE conversation_id = $1', [
      conversation.id,
    ]);
    expect(left).toEqual([]);
  });

  it('keeps a conversation within its bytes as turns are added, its count in step with its items', async () => {
    const { client } = await boot();
    const conversation = await client.conversations.create();
    for (let i = 0; i < 10; i++) {
      await client.conversations.items.create(conversation.id, {
        items: [user(`${i} ${'w'.repeat(900)}`)],
      });
    }
    const [counted] = await db.query<{ bytes: number; actual: number; n: number }>(
      `SELECT c.bytes, sum(i.bytes)::int AS actual, count(*)::int AS n
         FROM conversations c JOIN conversation_items i ON i.conversation_id = c.id
        WHERE c.id = $1 GROUP BY c.bytes`,
      [conversation.id],
    );
    expect(counted.bytes).toBe(counted.actual);
    expect(counted.bytes).toBeLessThanOrEqual(4096);
    expect(counted.n).toBeLessThan(10);
    const newest = await client.conversations.items.list(conversation.id, { limit: 1 });
    expect(JSON.stringify(newest.data[0])).toContain('"9 w');
  });
});

/** The stores alone, on a clock the test moves: expired rows are not served, then purged. */
describe('PostgreSQL conversation and response stores', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let now = Date.UTC(2030, 0, 1);
  const connector = { isUsable: true } as DatabaseConnector;
  const logger = { info: () => undefined, warn: () => undefined } as unknown as PinoLogger;
  const monitor = new DependencyMonitor(new MetricsRegistry(), logger);

  beforeAll(async () => {
    db = await TestDatabase.create();
    const config = databaseConfig(loadEnvironment({ DATABASE_URL: db.url }))!;
    dataSource = new DataSource(postgresOptions(config, await loadAgentSchema()));
    await dataSource.initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('serves nothing past its time to live and purges the expired rows', async () => {
    const access = new PostgresAccess(dataSource, connector, monitor, 'Conversations', () => now);
    const limits = { ttlSeconds: 60, maxBytes: 4096, totalMaxBytes: 1 << 20 };
    const conversations = new PostgresConversationStore(access, limits);
    const responses = new PostgresResponseStore(access, {
      maxEntries: 10,
      maxBytes: 1 << 20,
      ttlSeconds: 60,
    });
    try {
      const kept = await conversations.create('acme', {}, []);
      const idle = await conversations.create('acme', {}, []);
      await responses.put('resp_1', {
        clientId: 'acme',
        response: {},
        inputItems: [],
        messages: [],
      });
      expect(await conversations.get(kept.id, 'beta')).toBeUndefined();
      now += 40_000;
      expect(await conversations.get(kept.id, 'acme')).toBeDefined();
      now += 40_000;
      expect(await conversations.get(idle.id, 'acme')).toBeUndefined();
      expect(await responses.get('resp_1', 'acme')).toBeUndefined();
      expect(await access.purge('conversations')).toBe(1);
      expect(await access.purge('stored_responses')).toBe(1);
      expect(
        (await db.query<{ id: string }>('SELECT id FROM conversations')).map((r) => r.id),
      ).toEqual([kept.id]);
    } finally {
      conversations.onModuleDestroy();
      responses.onModuleDestroy();
    }
  });

  it('answers 503 while the schema is not usable, and a response it cannot store is not an error', async () => {
    const down = { isUsable: false } as DatabaseConnector;
    const access = new PostgresAccess(dataSource, down, monitor, 'Conversations');
    const conversations = new PostgresConversationStore(access, {
      ttlSeconds: 60,
      maxBytes: 4096,
      totalMaxBytes: 1 << 20,
    });
    const responses = new PostgresResponseStore(access, {
      maxEntries: 10,
      maxBytes: 1 << 20,
      ttlSeconds: 60,
    });
    const status = (call: Promise<unknown>) =>
      call.then(
        () => 200,
        (error: ProblemException) => error.getStatus(),
      );
    try {
      expect(await status(conversations.get('conv_x', null))).toBe(503);
      expect(await status(responses.get('resp_x', null))).toBe(503);
      const stored = { clientId: null, response: {}, inputItems: [], messages: [] };
      expect(await status(responses.put('resp_x', stored))).toBe(200);
    } finally {
      conversations.onModuleDestroy();
      responses.onModuleDestroy();
    }
  });
});
