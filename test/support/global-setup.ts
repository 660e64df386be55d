import Redis from 'ioredis';
import { Client } from 'pg';
import { EMBEDDED_FALLBACK_FLAG, TEST_POSTGRES_ADMIN_URL, TEST_REDIS_URL } from './service-urls';

/**
 * Tests run against real PostgreSQL and Redis. Locally a missing PostgreSQL falls back to the
 * embedded database, loudly; under CI=true a missing service fails the run instead of skipping.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.HEARTH_TEST_DATABASE === 'embedded') {
    // The embedded-database leg (npm run test:embedded): the README's default, on purpose.
    process.env[EMBEDDED_FALLBACK_FLAG] = '1';
    return;
  }
  const strict = process.env.CI === 'true';
  const postgres = await probe(() => pingPostgres(TEST_POSTGRES_ADMIN_URL));
  const redis = await probe(() => pingRedis(TEST_REDIS_URL));
  const missing = [
    postgres && `PostgreSQL at ${redactPassword(TEST_POSTGRES_ADMIN_URL)}: ${postgres}`,
    redis && `Redis at ${TEST_REDIS_URL}: ${redis}`,
  ].filter(Boolean);
  if (strict && missing.length > 0) throw new Error(`CI=true and services do not answer:\n  ${missing.join('\n  ')}`);
  for (const line of missing) banner(`${line}`);
  if (postgres) {
    banner('NO POSTGRESQL: tests run on the EMBEDDED database (PGlite) instead. Start PostgreSQL to test for real.');
    process.env[EMBEDDED_FALLBACK_FLAG] = '1';
  }
}

async function probe(check: () => Promise<void>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

async function pingPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

function banner(text: string): void {
  process.stderr.write(`\n${'!'.repeat(80)}\n!! ${text}\n${'!'.repeat(80)}\n`);
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
