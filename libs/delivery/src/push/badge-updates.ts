import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { ChangeBus, TransactionRunner, type ReceiptChange } from '@hearth/storage';
import type { DeliveryQueue } from '../queue/delivery-queue';
import { PushOutboxRepository } from './push-outbox.repository';
import { PusherRepository } from './pusher.repository';
import { PUSH_QUEUE } from './push-queue';

const READ_RECEIPTS = new Set(['m.read', 'm.read.private']);

/**
 * When one of our users reads (a read receipt that moved), their phones get the new unread count,
 * so a badge clears without waiting for the next message (as Synapse does). Best effort: a badge
 * update lost in a crash is made good by the next notification's count.
 */
@Injectable()
export class BadgeUpdates implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BadgeUpdates.name);
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(PUSH_QUEUE) private readonly queue: DeliveryQueue,
    private readonly pushers: PusherRepository,
    private readonly outbox: PushOutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(['receipts'], BadgeUpdates.name, (change) =>
      change.position !== undefined ? this.update(change.receipt) : undefined,
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async update(receipt: ReceiptChange): Promise<void> {
    if (!READ_RECEIPTS.has(receipt.type) || !receipt.userId.endsWith(`:${this.config.serverName}`)) return;
    const ids = await this.tx.read(async (em) => {
      const ids = ((await this.pushers.ofUsers([receipt.userId], em)).get(receipt.userId) ?? []).map((p) => p.id);
      await this.outbox.insertBadges(ids, Date.now(), em);
      return ids;
    });
    for (const id of ids)
      this.queue
        .schedule(String(id))
        .catch((error: unknown) =>
          this.logger.warn(`scheduling pusher ${id} failed (the sweep will): ${String(error)}`),
        );
  }
}
