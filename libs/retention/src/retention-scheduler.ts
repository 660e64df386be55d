import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { PERIODIC_JOBS, type PeriodicJobs } from '@hearth/delivery';
import { PurgeRunner } from './purge-runner';

/** Puts the purge on the queue's periodic jobs in every process that consumes the queue. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(PERIODIC_JOBS) private readonly jobs: PeriodicJobs,
    private readonly purges: PurgeRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.delivery.consume) return;
    await this.jobs.every({
      name: 'retention-purge',
      intervalMs: this.config.retention.purgeIntervalMs,
      run: async () => {
        await this.purges.runAll();
      },
    });
  }
}
