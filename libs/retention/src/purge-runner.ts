import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { RemoteMediaCachePurge } from '@hearth/media';
import { queryRows, TransactionRunner } from '@hearth/storage';
import { ALL_PURGES } from './purges/all-purges';
import type { Purge } from './purges/purge';

/** Transactions a batched purge may take in one run. */
const MAX_BATCHES = 1000;

/** What one run did: rows removed per purge, or `skipped` when another process held it. */
export type PurgeReport = Record<string, number | 'skipped'>;

/**
 * Runs every purge, each in its own transaction under a PostgreSQL advisory lock named after it:
 * two processes running at once (BullMQ beside an embedded timer, a slow run overtaken) never
 * purge the same kind together; the second skips it until the next run.
 */
@Injectable()
export class PurgeRunner {
  private readonly logger = new Logger(PurgeRunner.name);

  constructor(
    private readonly tx: TransactionRunner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly remoteMedia: RemoteMediaCachePurge,
  ) {}

  /** Every purge: the row-only ones, then the remote media cache, which needs the media store to drop its bytes. */
  async runAll(now = Date.now(), purges: readonly Purge[] = [...ALL_PURGES, this.remoteMedia]): Promise<PurgeReport> {
    const report: PurgeReport = {};
    for (const purge of purges) report[purge.name] = await this.runOne(purge, now);
    const removed = Object.entries(report).filter(([, outcome]) => outcome !== 0);
    if (removed.length > 0) this.logger.log(`retention purge: ${removed.map(([n, o]) => `${n} ${o}`).join(', ')}`);
    return report;
  }

  /** A batched purge runs again while it fills its batch, up to MAX_BATCHES a run: the rest waits for the next run. */
  private async runOne(purge: Purge, now: number): Promise<number | 'skipped'> {
    let removed = 0;
    for (let round = 0; round < (purge.batch === undefined ? 1 : MAX_BATCHES); round++) {
      const outcome = await this.runOnce(purge, now);
      if (outcome === 'skipped') return round === 0 ? 'skipped' : removed;
      removed += outcome;
      if (purge.batch === undefined || outcome < purge.batch) break;
    }
    return removed;
  }

  private runOnce(purge: Purge, now: number): Promise<number | 'skipped'> {
    return this.tx.run(async (em) => {
      const [lock] = await queryRows<{ taken: boolean }>(
        em,
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS taken',
        [`hearth:retention:${purge.name}`],
      );
      if (!lock?.taken) return 'skipped';
      return purge.run(em, now, this.config.retention, this.config.serverName);
    });
  }
}
