import type { EntityManager, QueryRunner } from 'typeorm';

/** A hot-path statement, parsed and planned once per connection instead of on every call. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

interface PgClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
  query(text: string): Promise<unknown>;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name: `hearth_${name}`, text };
}

/** Transactions whose plans are generic key lookups (TransactionRunner's `genericPlans`). */
const keyLookupTransactions = new WeakSet<QueryRunner>();

export function planAsKeyLookups(runner: QueryRunner): void {
  keyLookupTransactions.add(runner);
}

/**
 * A connection keeps one generic plan per statement, made under whatever settings were in force
 * when it was first needed, and never replans it when they change. So a statement run both in
 * key-lookup transactions and elsewhere is prepared under a second name for the former: a plan
 * made elsewhere (sequential scans allowed, tables small) must not serve a key-lookup batch.
 */
function nameIn(em: EntityManager, statement: PreparedStatement): string {
  return em.queryRunner && keyLookupTransactions.has(em.queryRunner) ? `${statement.name}_keyed` : statement.name;
}

/**
 * Rows of a prepared statement, run on the transaction's own connection, or on any pooled one
 * outside a transaction. TypeORM's `query` only sends unnamed statements, which PostgreSQL
 * parses and plans afresh each time; the driver connections remember named ones.
 */
export async function queryPrepared<T>(
  em: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const runner = em.queryRunner;
  const client = runner
    ? ((await runner.connect()) as PgClient)
    : (em.connection.driver as unknown as { master: PgClient }).master;
  return (await client.query<T>({ name: nameIn(em, statement), text: statement.text, values })).rows;
}

/**
 * The transaction's last statement with its COMMIT queued behind it on the connection:
 * node-postgres sends the COMMIT from its socket handler as soon as the statement's reply
 * arrives, not after this process's promise chain has come back to the connection, so the row
 * locks the statement takes (a stream position counter) are held for its execution, one trip to
 * this process's event loop and the WAL flush. Nothing may run in the transaction afterwards;
 * the TransactionRunner sees it ended. If the statement fails, the queued COMMIT rolls back and
 * the statement's error is thrown.
 */
export async function queryPreparedAndCommit<T>(
  em: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('queryPreparedAndCommit ends a transaction and needs one');
  const client = (await runner.connect()) as PgClient;
  const rows = client.query<T>({ name: nameIn(em, statement), text: statement.text, values });
  const commit = client.query('COMMIT');
  (runner as { isTransactionActive: boolean }).isTransactionActive = false;
  const [statementResult, commitResult] = await Promise.allSettled([rows, commit]);
  if (statementResult.status === 'rejected') throw statementResult.reason;
  if (commitResult.status === 'rejected') throw commitResult.reason;
  return statementResult.value.rows;
}
