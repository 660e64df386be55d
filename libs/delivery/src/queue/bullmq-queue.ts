import type { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { connectRedis } from '@hearth/storage';
import { bullmq } from './bullmq-package';
import type { DeliveryQueue, DestinationHandler } from './delivery-queue';

const CONCURRENCY = 50;

/**
 * BullMQ on Redis: any number of processes schedule, and any number consume. Deduplication by
 * destination (keeping one waiting job while one is active) gives one job per destination at a
 * time across all workers; the destination's lease in PostgreSQL is the guard behind it.
 */
export class BullMqDeliveryQueue implements DeliveryQueue {
  private readonly queue: Queue;
  private readonly connections: Redis[] = [];
  private worker: Worker | undefined;

  /** One queue per homeserver: deployments (and test servers) may share a Redis. */
  constructor(
    private readonly redisUrl: string,
    private readonly name: string,
  ) {
    this.queue = new (bullmq().Queue)(name, { connection: this.connect() });
  }

  async schedule(destination: string, delayMs = 0): Promise<void> {
    await this.queue.add(
      'deliver',
      { destination },
      {
        delay: delayMs,
        deduplication: { id: destination, keepLastIfActive: true },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  consume(handler: DestinationHandler): void {
    this.worker = new (bullmq().Worker)(
      this.name,
      async (job) => handler((job.data as { destination: string }).destination),
      {
        connection: this.connect(),
        concurrency: CONCURRENCY,
      },
    );
    // Errors are the handler's to record (backoff lives in PostgreSQL); a failed job is just gone.
    this.worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.allSettled(this.connections.map((connection) => connection.quit()));
  }

  /** BullMQ needs `maxRetriesPerRequest: null` for its blocking commands. */
  private connect(): Redis {
    const connection = connectRedis(this.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
