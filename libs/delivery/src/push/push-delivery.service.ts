import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import type { DeliveryQueue } from '../queue/delivery-queue';
import { PushFeed } from './push-feed.service';
import { PushOutboxRepository } from './push-outbox.repository';
import { PushSender } from './push-sender';
import { PusherRepository } from './pusher.repository';
import { PUSH_QUEUE } from './push-queue';

/** How often a process reads notifications it may not have heard of and looks for pushers whose jobs were lost. */
const SWEEP_INTERVAL_MS = 30_000;

/**
 * Push's start and sweep: every process feeds (it hears its own commits on the bus), and a
 * consuming one (`delivery.consume`) also sends. At start and every 30 s the feed reads what
 * committed unheard, and pushers with pending rows are scheduled, each when its backoff ends.
 */
@Injectable()
export class PushDeliveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PushDeliveryService.name);
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(PUSH_QUEUE) private readonly queue: DeliveryQueue,
    private readonly feed: PushFeed,
    private readonly sender: PushSender,
    private readonly outbox: PushOutboxRepository,
    private readonly pushers: PusherRepository,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    if (this.config.delivery.consume) this.queue.consume((pusherId) => this.sender.deliver(pusherId));
    const sweep = () =>
      void this.sweep().catch((error: unknown) => this.logger.warn(`sweeping push failed: ${String(error)}`));
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.queue.close();
  }

  async sweep(): Promise<void> {
    await this.feed.poke();
    const { pending, retryAt } = await this.tx.read(async (em) => {
      const pending = await this.outbox.pushersWithPending(em);
      return { pending, retryAt: await this.pushers.retryTimes(pending, em) };
    });
    const now = Date.now();
    for (const id of pending) await this.queue.schedule(String(id), Math.max(0, (retryAt.get(id) ?? 0) - now));
  }
}
