import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

/** The servers the integration suites use; override to point at others. */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const HOW_TO_START =
  'Start them (see README, "Tests") or point TEST_POSTGRES_URL / TEST_REDIS_URL at running servers.';

/** A database of its own for one suite, dropped afterwards. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const name = `agent_it_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString());
  }

  /** Runs SQL in this database. */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }
}

async function admin(run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}. ${HOW_TO_START} (${String(error)})`,
      { cause: error },
    );
  }
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix of its own for one suite, with its keys deleted afterwards. */
export class TestRedis {
  readonly url = REDIS_TEST_URL;
  readonly prefix = `agent-it-${randomBytes(6).toString('hex')}:`;
  readonly client: Redis;

  private constructor() {
    this.client = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  static async create(): Promise<TestRedis> {
    const redis = new TestRedis();
    try {
      await redis.client.connect();
    } catch (error) {
      redis.client.disconnect();
      throw new Error(
        `Redis is not reachable at ${REDIS_TEST_URL}. ${HOW_TO_START} (${String(error)})`,
        { cause: error },
      );
    }
    return redis;
  }

  keys(): Promise<string[]> {
    return this.client.keys(`${this.prefix}*`);
  }

  async close(): Promise<void> {
    const keys = await this.keys();
    if (keys.length) await this.client.del(...keys);
    await this.client.quit();
  }
}

/**
 * The environment of a service process that shares this suite's PostgreSQL and Redis with its
 * fellow replicas. A Redis call that times out fails open; on a busy test machine the default
 * 100 ms is sometimes exceeded, which would blur what the replica suites count.
 */
export function sharedStoresEnv(db: TestDatabase, redis: TestRedis): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    DATABASE_MIGRATE_ON_START: 'true',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    REDIS_COMMAND_TIMEOUT_MS: '2000',
  };
}
