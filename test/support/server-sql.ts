import { Client } from 'pg';
import type { TestHomeserver } from './test-homeserver';

/** Rows of one statement on a test server's own database, on a connection of its own, closed after. */
export async function sqlOn<T>(
  server: Pick<TestHomeserver, 'config'>,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: server.config.databaseUrl });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}
