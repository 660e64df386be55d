import type { EntityManager, QueryRunner } from 'typeorm';
import { executeStatement, isParsedOn, rowsOfEach } from './execute-message';

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
const PLANS_AS_BEFORE = KEY_LOOKUP_SETTINGS.map(([name]) => `SET LOCAL ${name} TO DEFAULT`);

/** Transactions whose plans are generic key lookups (TransactionRunner's `genericPlans`). */
const keyLookupTransactions = new WeakSet<QueryRunner>();

/** Transactions begun but not sent yet: their START TRANSACTION and settings go with their first statement. */
const pendingBegins = new WeakMap<QueryRunner, readonly string[]>();

export function planAsKeyLookups(runner: QueryRunner): void {
  keyLookupTransactions.add(runner);
}

/**
 * Starts a transaction of key lookups without a round trip of its own: START TRANSACTION and
 * GENERIC_KEY_LOOKUP_PLANS go in one simple-query message with the transaction's first prepared
 * statements (queryPreparedSeries), or just before whatever else it sends first (TypeORM's
 * startTransaction sends its START TRANSACTION alone, and at once). The runner is marked active
 * now, as startTransaction marks it, so that a failure is rolled back, not handed back to the
 * pool inside a transaction.
 */
export function beginKeyLookupTransaction(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  if (state.isTransactionActive) throw new Error('beginKeyLookupTransaction starts a transaction; one is active');
  state.isTransactionActive = true;
  state.transactionDepth = 1;
  pendingBegins.set(runner, ['START TRANSACTION', GENERIC_KEY_LOOKUP_PLANS]);
  planAsKeyLookups(runner);
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    const begin = takePendingBegin(runner);
    if (begin) await query(begin.join('; '));
    return query(...args);
  }) as QueryRunner['query'];
}

function takePendingBegin(runner: QueryRunner): readonly string[] | undefined {
  const begin = pendingBegins.get(runner);
  pendingBegins.delete(runner);
  return begin;
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

/** One prepared statement and the values to run it with. */
export interface PreparedCall {
  readonly statement: PreparedStatement;
  readonly values: unknown[];
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
  if (!runner) {
    const pool = (em.connection.driver as unknown as { master: PgClient }).master;
    return (await pool.query<T>({ name: statement.name, text: statement.text, values })).rows;
  }
  const [rows] = await onRunner(em, runner, [{ statement, values }]);
  return rows as T[];
}

/**
 * The rows of each of several prepared statements, run one after the other in the transaction of
 * `em`, each with a snapshot of its own (as separate statements under READ COMMITTED: one that
 * waited for a lock sees what the holder committed). Where the connection has parsed them all
 * before, they go in one round trip, with the transaction's START TRANSACTION if it is not sent
 * yet: as one simple-query message of SQL EXECUTEs, which use the plans the connection keeps.
 */
export async function queryPreparedSeries(em: EntityManager, calls: readonly PreparedCall[]): Promise<unknown[][]> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('queryPreparedSeries runs statements in a transaction');
  return onRunner(em, runner, calls);
}

/**
 * The transaction's last statement with its COMMIT: in the same message where the connection has
 * parsed the statement, else sent the moment its answer arrives, not after the caller's promise
 * chain has come back to the connection. Either way the row locks the statement takes (a stream
 * position counter) are held for little more than its execution and the WAL flush. Nothing may
 * run in the transaction afterwards; the TransactionRunner sees it ended. If the statement fails,
 * the transaction rolls back and the statement's error is thrown.
 */
export async function queryPreparedAndCommit<T>(
  em: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('queryPreparedAndCommit ends a transaction and needs one');
  const answered = onRunner(em, runner, [{ statement, values }], { andCommit: true });
  (runner as { isTransactionActive: boolean }).isTransactionActive = false;
  const [rows] = await answered;
  return rows as T[];
}

interface Step {
  readonly sql: string;
  /** The call whose rows this statement answers, if it is one, and its name on this transaction's connection. */
  readonly call?: PreparedCall & { readonly name: string };
}

async function onRunner(
  em: EntityManager,
  runner: QueryRunner,
  calls: readonly PreparedCall[],
  { andCommit = false } = {},
): Promise<unknown[][]> {
  // Worked out before anything is awaited: the transaction may be marked ended (andCommit) meanwhile.
  const steps = stepsOf(em, calls, andCommit);
  const begin = takePendingBegin(runner) ?? [];
  const client = (await runner.connect()) as PgClient;
  const executes = steps.map((step) => executeIfParsed(client, step));
  const savesRoundTrips = begin.length + steps.length > 1;
  if (savesRoundTrips && executes.every((sql): sql is string => sql !== undefined)) {
    const sql = [...begin, ...executes].join('; ');
    return inOneMessage(client, sql, begin.length, steps, andCommit);
  }
  if (begin.length > 0) await client.query(begin.join('; '));
  return inSequence(client, steps, andCommit);
}

/** The statements that run `calls`: each with the key-lookup settings around it where it needs them, then a COMMIT if asked. */
function stepsOf(em: EntityManager, calls: readonly PreparedCall[], andCommit: boolean): Step[] {
  const steps: Step[] = [];
  calls.forEach((call, i) => {
    const keyed = needsKeyLookupPlans(em, call.statement);
    if (keyed) steps.push({ sql: GENERIC_KEY_LOOKUP_PLANS });
    steps.push({ sql: call.statement.text, call: { ...call, name: nameIn(em, call.statement) } });
    const last = i === calls.length - 1;
    if (keyed && !(last && andCommit)) steps.push(...PLANS_AS_BEFORE.map((sql) => ({ sql })));
  });
  if (andCommit) steps.push({ sql: 'COMMIT' });
  return steps;
}

function executeIfParsed(client: PgClient, step: Step): string | undefined {
  if (!step.call) return step.sql;
  const { name, statement, values } = step.call;
  return isParsedOn(client, name, statement.text) ? executeStatement(name, values) : undefined;
}

/**
 * One simple-query message. If a statement fails, PostgreSQL skips the rest of the message and
 * the transaction is failed: with the COMMIT among the rest, a ROLLBACK ends it here, and the
 * first error is thrown (a ROLLBACK after a failed COMMIT, with no transaction left, only warns).
 */
async function inOneMessage(
  client: PgClient,
  sql: string,
  skip: number,
  steps: readonly Step[],
  andCommit: boolean,
): Promise<unknown[][]> {
  let answers: unknown[][];
  try {
    answers = rowsOfEach(await client.query(sql)).slice(skip);
  } catch (error) {
    if (andCommit) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return steps.flatMap((step, i) => (step.call ? [answers[i] ?? []] : []));
}

/**
 * The steps one at a time through the extended protocol (which parses each named statement on
 * the connection the first time), each sent as the one before answers: the next leaves from the
 * promise's continuation, a microtask after the answer. The first failure is thrown; a COMMIT is
 * sent even then, as it must end the transaction (it rolls back), and its own failure is left
 * unsaid behind the first.
 */
async function inSequence(client: PgClient, steps: readonly Step[], andCommit: boolean): Promise<unknown[][]> {
  const answers: unknown[][] = [];
  try {
    for (const step of steps) {
      if (!step.call) {
        await client.query(step.sql);
        continue;
      }
      const { name, statement, values } = step.call;
      answers.push((await client.query<unknown>({ name, text: statement.text, values })).rows);
    }
  } catch (error) {
    if (andCommit) await client.query('COMMIT').catch(() => undefined);
    throw error;
  }
  return answers;
}
