import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationPolicy } from '@hearth/federation-client';
import type { JsonObject } from '@hearth/protocol';
import type { OutboxPort } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { DestinationRepository } from '../destinations/destination.repository';
import { DestinationSender } from '../destinations/destination-sender';
import { DELIVERY_QUEUE, type DeliveryQueue } from '../queue/delivery-queue';
import { OutboxRepository } from './outbox.repository';

/** How often a consuming process looks for destinations with pending rows whose jobs were lost (a crash, a restart). */
const SWEEP_INTERVAL_MS = 30_000;

/**
 * Outbound federation, durable: callers record what each destination must receive (PDUs in the
 * transaction that commits them), and the queue schedules a job per destination once it is
 * committed. Nothing is lost when a process dies: rows stay until the peer accepted them, and
 * every consuming process sweeps for destinations with pending rows at start and every 30 s.
 * Rooms records its events here through its outbox port (`OUTBOX_PORT`, bound in the app module).
 */
@Injectable()
export class DeliveryService implements OutboxPort, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryService.name);
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    private readonly outbox: OutboxRepository,
    private readonly destinations: DestinationRepository,
    private readonly sender: DestinationSender,
    private readonly tx: TransactionRunner,
    private readonly policy: FederationPolicy,
  ) {}

  onModuleInit(): void {
    if (!this.config.delivery.consume) return;
    this.queue.consume((destination) => this.sender.deliver(destination));
    const sweep = () =>
      void this.sweep().catch((error: unknown) => this.logger.warn(`sweeping the outbox failed: ${String(error)}`));
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.queue.close();
  }

  /**
   * PDUs for their destinations, inside the caller's transaction; jobs are scheduled once it
   * commits. Servers outside `federation.allow`/`deny` get nothing.
   */
  async recordPdus(
    items: ReadonlyArray<{ pdu: JsonObject; destinations: readonly string[] }>,
    em: EntityManager,
  ): Promise<void> {
    const rows = items.flatMap(({ pdu, destinations }) =>
      destinations
        .filter((destination) => this.policy.allows(destination))
        .map((destination) => ({ destination, kind: 'pdu' as const, payload: pdu })),
    );
    if (rows.length === 0) return;
    await this.outbox.insert(rows, em);
    const destinations = new Set(rows.map((row) => row.destination));
    this.tx.afterCommit(em, () => this.scheduleAll(destinations));
  }

  /** EDUs, committed before this returns; `droppable` ones (typing) may be dropped when stale. */
  async recordEdus(
    destinations: Iterable<string>,
    edus: readonly JsonObject[],
    options: { droppable?: boolean } = {},
  ): Promise<void> {
    const targets = [...new Set(destinations)];
    const rows = targets.flatMap((destination) =>
      edus.map((payload) => ({ destination, kind: 'edu' as const, payload, droppable: options.droppable ?? false })),
    );
    if (rows.length === 0) return;
    await this.tx.run((em) => this.outbox.insert(rows, em));
    this.scheduleAll(targets);
  }

  /** Schedules every destination with pending rows, each when its backoff ends. */
  async sweep(): Promise<void> {
    const { pending, retryAt } = await this.tx.read(async (em) => {
      const pending = await this.outbox.destinationsWithPending(em);
      return { pending, retryAt: await this.destinations.retryTimes(pending, em) };
    });
    const now = Date.now();
    for (const destination of pending)
      await this.queue.schedule(destination, Math.max(0, (retryAt.get(destination) ?? 0) - now));
  }

  private scheduleAll(destinations: Iterable<string>): void {
    for (const destination of destinations) {
      this.queue
        .schedule(destination)
        .catch((error: unknown) =>
          this.logger.warn(`scheduling ${destination} failed (the sweep will): ${String(error)}`),
        );
    }
  }
}
