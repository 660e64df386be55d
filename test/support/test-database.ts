import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_POSTGRES_ADMIN_URL, usingEmbeddedFallback } from './service-urls';

export interface TestDatabase {
  /** A fresh, empty PostgreSQL database; undefined when tests fall back to the embedded one. */
  readonly url: string | undefined;
  drop(): Promise<void>;
}

/** Each test file gets its own database, created empty and dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (usingEmbeddedFallback()) return { url: undefined, drop: () => Promise.resolve() };
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A new database copied from `source`, as a restored backup of it would be. Nothing may be
 * connected to `source` meanwhile (stop its server first).
 */
export async function copyTestDatabase(source: TestDatabase): Promise<TestDatabase> {
  if (!source.url) throw new Error('the embedded database cannot be copied');
  const sourceName = new URL(source.url).pathname.slice(1);
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${sourceName}`));
  const url = new URL(source.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
