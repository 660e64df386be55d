import type { EntityManager } from 'typeorm';

/** A hot-path statement, parsed and planned once per connection instead of on every call. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

interface PgClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name: `hearth_${name}`, text };
}

/**
 * Rows of a prepared statement run on the transaction's own connection. TypeORM's `query`
 * only sends unnamed statements, which PostgreSQL parses and plans afresh each time; the
 * driver connection behind the query runner remembers named ones per connection.
 */
export async function queryPrepared<T>(em: EntityManager, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner) return em.query<T[]>(statement.text, values);
  const client = (await runner.connect()) as PgClient;
  const result = await client.query<T>({ name: statement.name, text: statement.text, values });
  return result.rows;
}
