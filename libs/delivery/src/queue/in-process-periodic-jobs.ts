import { Logger } from '@nestjs/common';
import type { PeriodicJob, PeriodicJobs } from './periodic-jobs';

/** A process restarted more often than a job's interval would otherwise never run it. */
const FIRST_RUN_WITHIN_MS = 60_000;

/** The embedded default: a timer per job; a run still going when the next is due is not overlapped. */
export class InProcessPeriodicJobs implements PeriodicJobs {
  private readonly logger = new Logger(InProcessPeriodicJobs.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly firstRuns: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  every(job: PeriodicJob): Promise<void> {
    let current: Promise<void> | undefined;
    const tick = () => {
      if (current) return;
      current = job
        .run()
        .catch((error: unknown) => this.logger.error(`periodic job ${job.name} failed: ${String(error)}`))
        .finally(() => {
          if (current) this.running.delete(current);
          current = undefined;
        });
      this.running.add(current);
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    this.timers.push(timer);
    const first = setTimeout(tick, Math.min(job.intervalMs, FIRST_RUN_WITHIN_MS));
    first.unref();
    this.firstRuns.push(first);
    return Promise.resolve();
  }

  /** Nest calls this on the provider when the app closes. */
  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.firstRuns) clearTimeout(timer);
    await Promise.allSettled([...this.running]);
  }
}
