import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { dataSourceOptions } from './data-source-options';
import { preparedStatement, queryPrepared, queryPreparedAndCommit } from './prepared-statement';
import { TransactionRunner } from './transaction-runner';

/**
 * TransactionRunner on real PostgreSQL. Another connection (`observer`) tells what has really
 * committed, so "after commit" means that a second connection can already see the write.
 */
describe('TransactionRunner', () => {
  let db: MigratedDatabase;
  let tx: TransactionRunner;
  let observer: Client;

  beforeAll(async () => {
    db = await openMigratedDatabase();
    await db.dataSource.query('CREATE TABLE spec_rows (id INTEGER PRIMARY KEY, note TEXT)');
    // Checked at COMMIT, not at the statement: a way to make the commit itself fail.
    await db.dataSource.query(
      'CREATE TABLE spec_deferred (id INTEGER, CONSTRAINT spec_deferred_unique UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    tx = new TransactionRunner(db.dataSource);
    observer = new Client({ connectionString: db.url });
    await observer.connect();
  });

  afterAll(async () => {
    await observer?.end();
    await db?.close();
  });

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE spec_rows, spec_deferred');
  });

  const insert = (em: EntityManager, id: number) => em.query('INSERT INTO spec_rows (id) VALUES ($1)', [id]);
  const committedIds = async () =>
    (await observer.query<{ id: number }>('SELECT id FROM spec_rows ORDER BY id')).rows.map((row) => row.id);

  describe('run', () => {
    it('commits what work wrote and returns its result', async () => {
      const result = await tx.run(async (em) => {
        await insert(em, 1);
        // Not visible outside before the commit.
        expect(await committedIds()).toEqual([]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await committedIds()).toEqual([1]);
    });

    it('rolls back everything work wrote when it throws, and rethrows the same error', async () => {
      const failure = new Error('work failed');
      await expect(
        tx.run(async (em) => {
          await insert(em, 1);
          await insert(em, 2);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await committedIds()).toEqual([]);
    });

    it('rolls back when a statement fails, and the error is the database error', async () => {
      await expect(
        tx.run(async (em) => {
          await insert(em, 1);
          await insert(em, 1);
        }),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });
      expect(await committedIds()).toEqual([]);
    });

    it('gives back its connection whether work succeeds or fails', async () => {
      const single = await singleConnection(db.url);
      try {
        const runner = new TransactionRunner(single);
        await expect(runner.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
        await runner.run((em) => insert(em, 7));
        await expect(runner.read((em) => em.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
        expect(await committedIds()).toEqual([7]);
      } finally {
        await single.destroy();
      }
    });
  });

  describe('hooks', () => {
    it('runs afterCommit hooks after the commit (another connection sees the write), in the order they were added', async () => {
      const seen: Array<{ hook: string; visible: number[] }> = [];
      const pending: Array<Promise<void>> = [];
      const look = (hook: string) => () =>
        pending.push(committedIds().then((visible) => void seen.push({ hook, visible })));
      await tx.run(async (em) => {
        await insert(em, 1);
        tx.afterCommit(em, look('first'));
        tx.afterCommit(em, look('second'));
        // Nothing has run yet while work is still going.
        expect(pending).toHaveLength(0);
      });
      // The hooks ran before run() returned.
      expect(pending).toHaveLength(2);
      await Promise.all(pending);
      expect(seen).toEqual([
        { hook: 'first', visible: [1] },
        { hook: 'second', visible: [1] },
      ]);
    });

    it('does not run afterCommit hooks when work throws, but runs afterSettle hooks', async () => {
      const calls: string[] = [];
      await expect(
        tx.run(async (em) => {
          tx.afterCommit(em, () => calls.push('committed'));
          tx.afterSettle(em, () => calls.push('settled'));
          await insert(em, 1);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(calls).toEqual(['settled']);
    });

    it('runs afterSettle hooks after the afterCommit hooks when the transaction commits', async () => {
      const calls: string[] = [];
      await tx.run(async (em) => {
        // Added first, run last: settled hooks follow every commit hook.
        tx.afterSettle(em, () => calls.push('settled'));
        tx.afterCommit(em, () => calls.push('committed'));
        await insert(em, 1);
      });
      expect(calls).toEqual(['committed', 'settled']);
    });

    it('treats a COMMIT that fails (a deferred constraint) as a rollback: no afterCommit, afterSettle still runs', async () => {
      const calls: string[] = [];
      await expect(
        tx.run(async (em) => {
          tx.afterCommit(em, () => calls.push('committed'));
          tx.afterSettle(em, () => calls.push('settled'));
          await insert(em, 1);
          await em.query('INSERT INTO spec_deferred (id) VALUES (1), (1)');
        }),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });
      expect(calls).toEqual(['settled']);
      expect(await committedIds()).toEqual([]);
    });

    it('runs afterCommit hooks when work ended the transaction itself with queryPreparedAndCommit', async () => {
      const calls: string[] = [];
      const statement = preparedStatement('spec_insert_row', 'INSERT INTO spec_rows (id) VALUES ($1) RETURNING id');
      const rows = await tx.run(async (em) => {
        tx.afterCommit(em, () => calls.push('committed'));
        tx.afterSettle(em, () => calls.push('settled'));
        return queryPreparedAndCommit<{ id: number }>(em, statement, [3]);
      });
      expect(rows).toEqual([{ id: 3 }]);
      expect(calls).toEqual(['committed', 'settled']);
      expect(await committedIds()).toEqual([3]);
    });

    it('does not run afterCommit hooks when the statement sent with its COMMIT fails', async () => {
      const calls: string[] = [];
      const statement = preparedStatement('spec_insert_row_again', 'INSERT INTO spec_rows (id) VALUES ($1)');
      await expect(
        tx.run(async (em) => {
          tx.afterCommit(em, () => calls.push('committed'));
          tx.afterSettle(em, () => calls.push('settled'));
          await insert(em, 4);
          return queryPreparedAndCommit(em, statement, [4]);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(calls).toEqual(['settled']);
      expect(await committedIds()).toEqual([]);
    });

    it('plans a key-lookup statement as in a genericPlans transaction in any transaction, and restores the settings after it', async () => {
      type Settings = { seqscan: string; plans: string };
      const text = "SELECT current_setting('enable_seqscan') AS seqscan, current_setting('plan_cache_mode') AS plans";
      const keyed = preparedStatement('spec_settings', text, { keyLookups: true });
      const plain = async (em: EntityManager): Promise<Settings | undefined> => (await em.query<Settings[]>(text))[0];
      const asKeyLookups = { seqscan: 'off', plans: 'force_generic_plan' };
      const asSession = { seqscan: 'on', plans: 'auto' };

      const seen = await tx.run(async (em) => [(await queryPrepared<Settings>(em, keyed, []))[0], await plain(em)]);
      expect(seen).toEqual([asKeyLookups, asSession]);
      expect(await tx.run((em) => queryPreparedAndCommit<Settings>(em, keyed, []))).toEqual([asKeyLookups]);
      const inGenericPlans = await tx.run(
        async (em) => [(await queryPrepared<Settings>(em, keyed, []))[0], await plain(em)],
        {
          genericPlans: true,
        },
      );
      expect(inGenericPlans).toEqual([asKeyLookups, asKeyLookups]);
      expect(await plain(db.dataSource.manager)).toEqual(asSession);
    });

    it('refuses afterCommit and afterSettle for an EntityManager that is not in one of its transactions', async () => {
      const refusal = 'Not inside a transaction of this TransactionRunner';
      expect(() => tx.afterCommit(db.dataSource.manager, () => undefined)).toThrow(refusal);
      expect(() => tx.afterSettle(db.dataSource.manager, () => undefined)).toThrow(refusal);
      await tx.read((em) => {
        expect(() => tx.afterCommit(em, () => undefined)).toThrow(refusal);
        return Promise.resolve();
      });
      // Another runner's transaction is not this runner's.
      const other = new TransactionRunner(db.dataSource);
      await other.run((em) => {
        expect(() => tx.afterCommit(em, () => undefined)).toThrow(refusal);
        return Promise.resolve();
      });
    });

    /** Runs a transaction that commits a row and whose first afterCommit hook throws. */
    const commitWithThrowingHook = async (calls: string[]) => {
      await tx
        .run(async (em) => {
          tx.afterCommit(em, () => {
            throw new Error('hook failed');
          });
          tx.afterCommit(em, () => calls.push('second hook'));
          tx.afterSettle(em, () => calls.push('settled'));
          await insert(em, 1);
        })
        // Whether run() should pass the hook's error on is left open; any other error fails the test.
        .catch((error: unknown) => {
          if (!(error instanceof Error) || error.message !== 'hook failed') throw error;
        });
    };

    it('keeps a transaction committed when an afterCommit hook throws, and still runs the afterSettle hooks', async () => {
      const calls: string[] = [];
      await commitWithThrowingHook(calls);
      expect(await committedIds()).toEqual([1]);
      expect(calls).toContain('settled');
    });

    // A hook that throws must not skip the later ones (an AccessTokenCache forget among them: a
    // revoked token would stay in memory), nor make run() reject although the data committed.
    it('runs every afterCommit hook even when an earlier one throws, and resolves', async () => {
      const calls: string[] = [];
      await expect(
        tx.run(async (em) => {
          tx.afterCommit(em, () => {
            throw new Error('hook failed');
          });
          tx.afterCommit(em, () => calls.push('second hook'));
          tx.afterSettle(em, () => calls.push('settled'));
          await insert(em, 2);
          return 'done';
        }),
      ).resolves.toBe('done');
      expect(calls).toEqual(['second hook', 'settled']);
    });

    it('whenCommitted waits for the commit inside a transaction, never runs on rollback, and runs at once outside one', async () => {
      const calls: string[] = [];
      await tx.run(async (em) => {
        tx.whenCommitted(em, () => calls.push('in committed transaction'));
        await insert(em, 1);
        expect(calls).toEqual([]);
      });
      expect(calls).toEqual(['in committed transaction']);

      await expect(
        tx.run((em) => {
          tx.whenCommitted(em, () => calls.push('in rolled back transaction'));
          return Promise.reject(new Error('rollback'));
        }),
      ).rejects.toThrow('rollback');
      expect(calls).toEqual(['in committed transaction']);

      tx.whenCommitted(db.dataSource.manager, () => calls.push('outside'));
      expect(calls).toEqual(['in committed transaction', 'outside']);
    });
  });

  describe('nested use', () => {
    it('runs a run() inside a run() as a transaction of its own: it commits on its own and survives the outer rollback', async () => {
      await expect(
        tx.run(async (outer) => {
          await insert(outer, 1);
          await tx.run((inner) => insert(inner, 2));
          // The inner transaction has committed; the outer one has not.
          expect(await committedIds()).toEqual([2]);
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await committedIds()).toEqual([2]);
    });

    it('keeps each transaction’s hooks with its own EntityManager', async () => {
      const calls: string[] = [];
      await expect(
        tx.run(async (outer) => {
          await tx.run((inner) => {
            tx.afterCommit(inner, () => calls.push('inner committed'));
            // A hook for the outer transaction, added while the inner one runs.
            tx.afterCommit(outer, () => calls.push('outer committed'));
            tx.afterSettle(outer, () => calls.push('outer settled'));
            return Promise.resolve();
          });
          expect(calls).toEqual(['inner committed']);
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(calls).toEqual(['inner committed', 'outer settled']);
    });

    it('does not see the outer transaction’s uncommitted writes from the inner one', async () => {
      await tx.run(async (outer) => {
        await insert(outer, 1);
        const seenInside = await tx.run((inner) => inner.query<Array<{ id: number }>>('SELECT id FROM spec_rows'));
        expect(seenInside).toEqual([]);
      });
      expect(await committedIds()).toEqual([1]);
    });
  });

  describe('read', () => {
    it('runs without a transaction: each statement commits on its own and sees what was committed when it started', async () => {
      await tx.read(async (em) => {
        expect(await em.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        // No BEGIN came first: the statement's transaction started with the statement itself.
        expect(await em.query('SELECT now() = statement_timestamp() AS own_transaction')).toEqual([
          { own_transaction: true },
        ]);
        expect(await em.query('SELECT id FROM spec_rows')).toEqual([]);
        await observer.query('INSERT INTO spec_rows (id) VALUES (5)');
        // A later statement in the same read sees another connection's commit (no snapshot kept).
        expect(await em.query('SELECT id FROM spec_rows')).toEqual([{ id: 5 }]);
        await insert(em, 6);
        // Written through `read`, it is committed at once.
        expect(await committedIds()).toEqual([5, 6]);
      });
    });

    it('returns work’s result and rethrows its error', async () => {
      await expect(tx.read(() => Promise.resolve(42))).resolves.toBe(42);
      const failure = new Error('read failed');
      await expect(tx.read(() => Promise.reject(failure))).rejects.toBe(failure);
    });

    it('hands whenCommitted hooks of its EntityManager over at once', async () => {
      const calls: string[] = [];
      await tx.read((em) => {
        tx.whenCommitted(em, () => calls.push('now'));
        expect(calls).toEqual(['now']);
        return Promise.resolve();
      });
    });
  });

  describe('genericPlans', () => {
    const settings = (em: EntityManager) =>
      em
        .query<Array<{ plan_cache_mode: string; enable_seqscan: string; jit: string }>>(
          `SELECT current_setting('plan_cache_mode') AS plan_cache_mode,
                  current_setting('enable_seqscan') AS enable_seqscan, current_setting('jit') AS jit`,
        )
        .then((rows) => rows[0]);

    it('forces generic plans without sequential scans inside the transaction only, committed or rolled back', async () => {
      // One connection, so every step below runs on the connection the settings were made on.
      const single = await singleConnection(db.url);
      try {
        const runner = new TransactionRunner(single);
        const defaults = await runner.read(settings);
        expect(defaults).toEqual({ plan_cache_mode: 'auto', enable_seqscan: 'on', jit: 'on' });

        const keyLookups = { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off', jit: 'off' };
        expect(await runner.run(settings, { genericPlans: true })).toEqual(keyLookups);
        expect(await runner.read(settings)).toEqual(defaults);
        expect(await runner.run(settings)).toEqual(defaults);

        await expect(
          runner.run(
            async (em) => {
              expect(await settings(em)).toEqual(keyLookups);
              throw new Error('rolled back');
            },
            { genericPlans: true },
          ),
        ).rejects.toThrow('rolled back');
        expect(await runner.read(settings)).toEqual(defaults);
      } finally {
        await single.destroy();
      }
    });

    it('is a transaction begun with its settings in one round trip: it commits, or rolls back whole', async () => {
      const query = jest.spyOn(Client.prototype, 'query');
      try {
        await tx.run((em) => insert(em, 1), { genericPlans: true });
        const sent = query.mock.calls.map(([text]) => String(text));
        expect(sent[0]).toMatch(/^START TRANSACTION; SELECT set_config\('plan_cache_mode'/);
        expect(sent.slice(1)).toEqual(['INSERT INTO spec_rows (id) VALUES ($1)', 'COMMIT']);
      } finally {
        query.mockRestore();
      }
      await expect(
        tx.run(
          async (em) => {
            await insert(em, 2);
            throw new Error('rolled back');
          },
          { genericPlans: true },
        ),
      ).rejects.toThrow('rolled back');
      expect(await committedIds()).toEqual([1]);
    });
  });
});

/** A DataSource with a pool of one connection: what one transaction leaves on it, the next one meets. */
async function singleConnection(url: string): Promise<DataSource> {
  const options = dataSourceOptions({ url, embedded: false }, []);
  const extra = { ...(options.extra as object), max: 1, connectionTimeoutMillis: 5_000 };
  const dataSource = new DataSource({ ...options, extra });
  return dataSource.initialize();
}
