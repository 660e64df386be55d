import { Logger } from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { connectRedis } from '@hearth/storage';
import { bullmq } from './bullmq-package';
import type { PeriodicJob, PeriodicJobs } from './periodic-jobs';

/**
 * BullMQ's job schedulers: every process that consumes upserts the same scheduler (by job name),
 * so there is one per job however many processes start, and one worker takes each run.
 */
export class BullMqPeriodicJobs implements PeriodicJobs {
  private readonly logger = new Logger(BullMqPeriodicJobs.name);
  private readonly queue: Queue;
  private readonly jobs = new Map<string, PeriodicJob>();
  private readonly connections: Redis[] = [];
  private worker: Worker | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly name: string,
  ) {
    this.queue = new (bullmq().Queue)(name, { connection: this.connect() });
  }

  async every(job: PeriodicJob): Promise<void> {
    this.jobs.set(job.name, job);
    this.worker ??= this.startWorker();
    await this.queue.upsertJobScheduler(
      job.name,
      { every: job.intervalMs },
      { name: job.name, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }

  private startWorker(): Worker {
    const worker = new (bullmq().Worker)(this.name, (run) => this.jobs.get(run.name)?.run() ?? Promise.resolve(), {
      connection: this.connect(),
      concurrency: 1,
    });
    worker.on('error', (error) => this.logger.warn(`periodic jobs: ${String(error)}`));
    worker.on('failed', (run, error) => this.logger.error(`periodic job ${run?.name} failed: ${String(error)}`));
    return worker;
  }

  /** Nest calls this on the provider when the app closes. */
  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.allSettled(this.connections.map((connection) => connection.quit()));
  }

  /** BullMQ needs `maxRetriesPerRequest: null` for its blocking commands. */
  private connect(): Redis {
    const connection = connectRedis(this.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (error) => this.logger.debug(`periodic jobs' Redis: ${String(error)}`));
    this.connections.push(connection);
    return connection;
  }
}
