import { Pool, type PoolConfig } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import {
  busyIfPoolExhausted,
  DatabaseBusyError,
  preparedStatement,
  queryPrepared,
  queryPreparedAndCommit,
  TransactionRunner,
} from '@hearth/storage';
import { startTestHomeserver, type TestHomeserver } from '@hearth/testing';

const INSERT = preparedStatement(
  'test_insert_probe',
  'INSERT INTO tx_probe (id) SELECT unnest($1::int[]) RETURNING id',
);
const COUNT = preparedStatement('test_count_probe', 'SELECT count(*)::int AS n FROM tx_probe');

/**
 * The transaction runner on a real PostgreSQL: a last statement sent with its COMMIT commits
 * once, fails like any statement (taking the transaction's earlier writes with it), and leaves
 * the pooled connection fit for the next transaction.
 */
describe('storage: transactions ending with a statement sent together with COMMIT', () => {
  let hs: TestHomeserver;
  let tx: TransactionRunner;

  beforeAll(async () => {
    hs = await startTestHomeserver();
    tx = hs.server.app.get(TransactionRunner);
    await hs.server.app.get(DataSource).query('CREATE TABLE tx_probe (id INT PRIMARY KEY)');
  });
  afterAll(() => hs.destroy());

  const count = async () => (await tx.read((em) => queryPrepared<{ n: number }>(em, COUNT, [])))[0]?.n;

  it('commits what the transaction wrote before and with the last statement, and runs the commit hooks once', async () => {
    const committed: string[] = [];
    const rows = await tx.run(async (em) => {
      tx.afterCommit(em, () => committed.push('committed'));
      await queryPrepared(em, INSERT, [[1]]);
      return queryPreparedAndCommit<{ id: number }>(em, INSERT, [[2, 3]]);
    });
    expect(rows.map((row) => row.id)).toEqual([2, 3]);
    expect(committed).toEqual(['committed']);
    expect(await count()).toBe(3);
  });

  it('throws the statement’s own error and keeps nothing of the transaction when the last statement fails', async () => {
    const committed: string[] = [];
    const failing = tx.run(async (em) => {
      tx.afterCommit(em, () => committed.push('committed'));
      await queryPrepared(em, INSERT, [[10]]);
      return queryPreparedAndCommit(em, INSERT, [[11, 1]]);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(committed).toEqual([]);
    expect(await count()).toBe(3);
  });

  it('leaves every pooled connection usable afterwards, inside and outside transactions', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => tx.run((em) => queryPreparedAndCommit(em, INSERT, [[100 + i]]))),
    );
    await expect(tx.run((em) => queryPreparedAndCommit(em, INSERT, [[100]]))).rejects.toMatchObject({ code: '23505' });
    await tx.run((em) => queryPrepared(em, INSERT, [[200]]));
    expect(await count()).toBe(3 + 20 + 1);
  });

  it('plans key lookups with their index under genericPlans, however small the table was then, and only in that transaction', async () => {
    const plan = async (em: EntityManager) => {
      const rows = await em.query<Array<{ 'QUERY PLAN': string }>>('EXPLAIN EXECUTE tx_probe_lookup(1)');
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    await hs.server.app.get(DataSource).query('CREATE TABLE tx_lookup (id INT PRIMARY KEY)');
    await hs.server.app.get(DataSource).query('ANALYZE tx_lookup');
    const generic = await tx.run(
      async (em) => {
        await em.query('PREPARE tx_probe_lookup (int) AS SELECT id FROM tx_lookup WHERE id = $1');
        try {
          return await plan(em);
        } finally {
          await em.query('DEALLOCATE tx_probe_lookup');
        }
      },
      { genericPlans: true },
    );
    expect(generic).toContain('Index Only Scan using tx_lookup_pkey');
    expect(generic).toContain('$1');
    const settings = await tx.run((em) =>
      em.query<Array<{ mode: string; seqscan: string }>>(
        "SELECT current_setting('plan_cache_mode') AS mode, current_setting('enable_seqscan') AS seqscan",
      ),
    );
    expect(settings).toEqual([{ mode: 'auto', seqscan: 'on' }]);
  });

  it('never serves a key-lookup transaction with a plan its connection made outside one', async () => {
    const ds = hs.server.app.get(DataSource);
    await ds.query('CREATE TABLE tx_regime (id INT PRIMARY KEY)');
    await ds.query('ANALYZE tx_regime');
    const lookup = preparedStatement('test_regime_lookup', 'SELECT id FROM tx_regime WHERE id = $1');
    const backend = async (em: EntityManager) =>
      (await em.query<Array<{ pid: number }>>('SELECT pg_backend_pid() AS pid'))[0]?.pid;
    // Outside, the sixth run makes a generic plan and keeps it: on an empty table, a sequential scan.
    const outside = await tx.run(async (em) => {
      for (let id = 0; id < 7; id++) await queryPrepared(em, lookup, [id]);
      return backend(em);
    });
    const inside = await tx.run(
      async (em) => {
        await queryPrepared(em, lookup, [1]);
        const prepared = await em.query<Array<{ name: string; custom_plans: string }>>(
          'SELECT name, custom_plans FROM pg_prepared_statements WHERE statement = $1 ORDER BY name',
          [lookup.text],
        );
        const keyed = prepared.find((row) => Number(row.custom_plans) === 0)?.name ?? 'none';
        const plan = await em.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN EXECUTE ${keyed}(1)`);
        return {
          pid: await backend(em),
          statements: prepared.length,
          plan: plan.map((row) => row['QUERY PLAN']).join('\n'),
        };
      },
      { genericPlans: true },
    );
    // Sequential transactions take the pool's most recently released connection: the same one.
    expect(inside.pid).toBe(outside);
    expect(inside.statements).toBe(2);
    expect(inside.plan).toContain('Index Only Scan using tx_regime_pkey');
  });

  it('refuses to end a transaction that is not there', async () => {
    const manager = hs.server.app.get(DataSource).manager;
    await expect(queryPreparedAndCommit(manager, INSERT, [[300]])).rejects.toThrow('needs one');
    await expect(
      tx.run(async (em) => {
        await queryPreparedAndCommit(em, INSERT, [[301]]);
        return queryPreparedAndCommit(em, INSERT, [[302]]);
      }),
    ).rejects.toThrow('needs one');
    expect(await count()).toBe(3 + 20 + 1 + 1);
  });

  it('tells an exhausted connection pool (the server is busy, 503) from a broken database', async () => {
    const driver = hs.server.app.get(DataSource).driver as unknown as { master: { options: PoolConfig } };
    const pool = new Pool({ ...driver.master.options, max: 1, connectionTimeoutMillis: 100 });
    const held = await pool.connect();
    try {
      const waited = await pool.connect().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(busyIfPoolExhausted(waited)).toBeInstanceOf(DatabaseBusyError);
      expect(busyIfPoolExhausted(new Error('relation "nope" does not exist'))).not.toBeInstanceOf(DatabaseBusyError);
    } finally {
      held.release();
      await pool.end();
    }
  });
});
