// A PostgreSQL database and a Redis key prefix of the suite's own on the shared servers, removed
// afterwards (never anything else).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG_PORT = Number(
  new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').port ||
    5432,
);
export const REDIS_PORT = Number(
  new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379,
);
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createDatabase(name) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The ids of `ids` found in the database's query history. */
export async function idsInHistory(database, ids) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT id::text AS id FROM query_history WHERE id::text = ANY($1)',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

export async function deleteRedisPrefix(prefix) {
  const redis = new Redis({
    port: REDIS_PORT,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A client key and its API_KEYS entry (`client-id:sha256-hex-of-key`). */
export function apiKey(clientId) {
  const key = randomBytes(24).toString('base64url');
  return { clientId, key, entry: `${clientId}:${createHash('sha256').update(key).digest('hex')}` };
}
