import type { EntityManager, QueryRunner } from 'typeorm';

/** A hot-path statement, parsed and planned once per connection instead of on every call. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
  /** Planned as key lookups in every transaction, not only in TransactionRunner's `genericPlans` ones. */
  readonly keyLookups: boolean;
}

interface PgClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
  query(text: string): Promise<unknown>;
}

/**
 * `keyLookups` for a statement whose every table access is by key, whoever runs it: it gets
 * GENERIC_KEY_LOOKUP_PLANS in any transaction, not only in TransactionRunner's `genericPlans`
 * ones. Otherwise PostgreSQL may plan it afresh on every execution (a custom plan looks cheaper
 * for the empty arrays most of its parts get, and planning a large statement costs more than
 * running it), or keep a plan made while a table was small that scans the whole table.
 */
export function preparedStatement(name: string, text: string, { keyLookups = false } = {}): PreparedStatement {
  return { name: `hearth_${name}`, text, keyLookups };
}

/**
 * Plan settings for statements that all look rows up by key: prepared statements get generic
 * plans (planned once per connection, not on every execution), made without sequential scans. A
 * generic plan is kept for the connection's life, so it must not depend on how big a table was
 * when it was made: one made while a table was nearly empty scans it on every execution after.
 * No JIT: a sequential scan left in a plan (reading all of a small table) is costed 10^10 when
 * disabled, past every JIT threshold, and PostgreSQL compiled the sync head afresh on every
 * execution (280 ms of a 0.15 ms read). Set per transaction here, per session by KeyLookupReads.
 */
export const KEY_LOOKUP_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['plan_cache_mode', 'force_generic_plan'],
  ['enable_seqscan', 'off'],
  ['jit', 'off'],
];

/** KEY_LOOKUP_SETTINGS for the rest of a transaction. */
export const GENERIC_KEY_LOOKUP_PLANS = `SELECT ${KEY_LOOKUP_SETTINGS.map(
  ([name, value]) => `set_config('${name}', '${value}', true)`,
).join(', ')}`;
/** Back to the session's settings after one key-lookup statement in another transaction. */
const PLANS_AS_BEFORE = KEY_LOOKUP_SETTINGS.map(([name]) => `SET LOCAL ${name} TO DEFAULT`).join('; ');

/** Transactions whose plans are generic key lookups (TransactionRunner's `genericPlans`). */
const keyLookupTransactions = new WeakSet<QueryRunner>();

export function planAsKeyLookups(runner: QueryRunner): void {
  keyLookupTransactions.add(runner);
}

/**
 * Starts a transaction of key lookups in one round trip: START TRANSACTION and
 * GENERIC_KEY_LOOKUP_PLANS as one simple-query message (TypeORM's startTransaction sends its
 * START TRANSACTION alone). The runner is left as startTransaction leaves it, marked active before
 * anything is sent, as startTransaction does, so that a failure is rolled back, not handed back
 * to the pool inside a transaction.
 */
export async function beginKeyLookupTransaction(runner: QueryRunner): Promise<void> {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  if (state.isTransactionActive) throw new Error('beginKeyLookupTransaction starts a transaction; one is active');
  state.isTransactionActive = true;
  state.transactionDepth = 1;
  await runner.query(`START TRANSACTION; ${GENERIC_KEY_LOOKUP_PLANS}`);
  planAsKeyLookups(runner);
}

/**
 * A connection keeps one generic plan per statement, made under whatever settings were in force
 * when it was first needed, and never replans it when they change. So a statement run both in
 * key-lookup transactions and elsewhere is prepared under a second name for the former: a plan
 * made elsewhere (sequential scans allowed, tables small) must not serve a key-lookup batch.
 */
function nameIn(em: EntityManager, statement: PreparedStatement): string {
  return inKeyLookupTransaction(em) || needsKeyLookupPlans(em, statement) ? `${statement.name}_keyed` : statement.name;
}

function inKeyLookupTransaction(em: EntityManager): boolean {
  return em.queryRunner !== undefined && keyLookupTransactions.has(em.queryRunner);
}

/** Whether `statement` needs GENERIC_KEY_LOOKUP_PLANS around it in the transaction of `em`. */
function needsKeyLookupPlans(em: EntityManager, statement: PreparedStatement): boolean {
  return statement.keyLookups && em.queryRunner?.isTransactionActive === true && !inKeyLookupTransaction(em);
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
  if (!needsKeyLookupPlans(em, statement))
    return (await client.query<T>({ name: nameIn(em, statement), text: statement.text, values })).rows;
  return inSequence<T>(client, em, statement, values, PLANS_AS_BEFORE);
}

/**
 * The statement's rows, with GENERIC_KEY_LOOKUP_PLANS before it where it needs them and `after`
 * behind it, each sent as the one before answers: the next leaves from the promise's continuation,
 * a microtask after the answer, not a turn of the event loop later. (They used to be queued on the
 * client at once, which node-postgres deprecates and pg@9 removes.) The first failure is thrown; a
 * COMMIT is sent even then, as it must end the transaction (it rolls back), and its own failure is
 * left unsaid behind the first.
 */
async function inSequence<T>(
  client: PgClient,
  em: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
  after: string,
): Promise<T[]> {
  let rows: T[];
  try {
    if (needsKeyLookupPlans(em, statement)) await client.query(GENERIC_KEY_LOOKUP_PLANS);
    rows = (await client.query<T>({ name: nameIn(em, statement), text: statement.text, values })).rows;
  } catch (error) {
    if (after === 'COMMIT') await client.query(after).catch(() => undefined);
    throw error;
  }
  await client.query(after);
  return rows;
}

/**
 * The transaction's last statement with its COMMIT sent the moment its answer arrives, not after
 * the caller's promise chain has come back to the connection, so the row locks the statement
 * takes (a stream position counter) are held for its execution, one round trip and the WAL flush.
 * Nothing may run in the transaction afterwards; the TransactionRunner sees it ended. If the
 * statement fails, the COMMIT rolls back and the statement's error is thrown.
 */
export async function queryPreparedAndCommit<T>(
  em: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('queryPreparedAndCommit ends a transaction and needs one');
  const client = (await runner.connect()) as PgClient;
  const rows = inSequence<T>(client, em, statement, values, 'COMMIT');
  (runner as { isTransactionActive: boolean }).isTransactionActive = false;
  return rows;
}
