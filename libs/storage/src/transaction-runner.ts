import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { whileHoldingConnection } from './connection-guard';
import { beginKeyLookupTransaction } from './prepared-statement';

interface Hooks {
  readonly committed: Array<() => void>;
  readonly settled: Array<() => void>;
}

/** Services own their transactions through this, so repositories take an EntityManager. */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private readonly hooks = new WeakMap<EntityManager, Hooks>();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction; `genericPlans` for one that only looks rows up by key (GENERIC_KEY_LOOKUP_PLANS). */
  async run<T>(work: (em: EntityManager) => Promise<T>, options: { genericPlans?: boolean } = {}): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const hooks: Hooks = { committed: [], settled: [] };
    this.hooks.set(runner.manager, hooks);
    try {
      let result: T;
      try {
        if (options.genericPlans) await beginKeyLookupTransaction(runner);
        else await runner.startTransaction();
        result = await whileHoldingConnection(() => work(runner.manager));
        // A last statement sent with its COMMIT (queryPreparedAndCommit) has ended it already.
        if (runner.isTransactionActive) await runner.commitTransaction();
      } catch (error) {
        if (runner.isTransactionActive)
          await runner
            .rollbackTransaction()
            .catch((rollbackError: unknown) => this.logger.warn(`rollback failed: ${String(rollbackError)}`));
        throw error;
      } finally {
        await runner.release();
      }
      this.runEach(hooks.committed, 'after commit');
      return result;
    } finally {
      this.runEach(hooks.settled, 'after the transaction');
    }
  }

  /** What committed stays committed: a hook that throws is logged, and the hooks after it still run. */
  private runEach(hooks: ReadonlyArray<() => void>, when: string): void {
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        this.logger.error(
          `a hook run ${when} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
    }
  }

  /**
   * Several reads that need no atomicity (each statement sees what was committed when it
   * started, as in a READ COMMITTED transaction) on one pooled connection, without the BEGIN
   * and COMMIT round trips. Everything inside must use `em`: waiting for a second pooled
   * connection while holding this one can starve the pool.
   */
  async read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      return await whileHoldingConnection(() => work(runner.manager));
    } finally {
      await runner.release();
    }
  }

  /**
   * Reads that need no atomicity and hold no connection: each statement takes a pooled connection
   * for itself and gives it back, so work that waits between statements (for a read it shares
   * with other requests) keeps none busy meanwhile, and nothing can wait for a connection while
   * holding one. For reads bounded by positions read first (a sync), where which connection
   * answers does not matter.
   */
  readEachStatement<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return work(this.dataSource.manager);
  }

  /** Runs `hook` once the transaction of `em` has committed (not at all if it rolls back). */
  afterCommit(em: EntityManager, hook: () => void): void {
    this.hooksOf(em).committed.push(hook);
  }

  /**
   * Runs `hook` once what was written through `em` is committed: after the transaction if `em`
   * belongs to one of this runner's, at once otherwise (a statement outside a transaction has
   * committed by the time it returns).
   */
  whenCommitted(em: EntityManager, hook: () => void): void {
    const hooks = this.hooks.get(em);
    if (hooks) hooks.committed.push(hook);
    else hook();
  }

  /** Runs `hook` once the transaction of `em` has ended, committed or not. */
  afterSettle(em: EntityManager, hook: () => void): void {
    this.hooksOf(em).settled.push(hook);
  }

  private hooksOf(em: EntityManager): Hooks {
    const hooks = this.hooks.get(em);
    if (!hooks) throw new Error('Not inside a transaction of this TransactionRunner');
    return hooks;
  }
}

/**
 * Two reads at once when `em` holds no connection (`readEachStatement`: each statement takes a
 * pooled one of its own), so a caller waits for the slower instead of both; one after the other
 * on a connection `em` holds, which runs one statement at a time anyway.
 */
export async function readBoth<A, B>(
  em: EntityManager,
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<[A, B]> {
  if (em.queryRunner === undefined) return Promise.all([first(), second()]);
  const a = await first();
  return [a, await second()];
}
