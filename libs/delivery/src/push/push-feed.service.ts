import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationFeed, type CommittedNotification } from '@hearth/rooms';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { PushOutboxRepository, type NewPush } from './push-outbox.repository';
import { PusherRepository } from './pusher.repository';
import type { DeliveryQueue } from '../queue/delivery-queue';
import { PUSH_POLICY, type PushPolicy } from './push-policy';
import { PUSH_QUEUE } from './push-queue';

/** Timeline positions (events of any kind, with all their notifications) read per round while catching up. */
const POSITIONS_PER_ROUND = 500;

/**
 * How long the stored position may trail what this process has read when nothing in between was
 * pushed. Storing it after every message cost a statement per message; a process that dies within
 * this lag only makes the next one re-read notifications that push nothing.
 */
const STORE_LAG_MS = 1000;

/** How far the feed has read, in this process and as stored in `push_feed`. */
interface FeedPositions {
  read: number;
  stored: number;
  storedAt: number;
}

/**
 * Turns committed notifications into pushes. It hears the change bus (stream `events`) and reads
 * the notifications committed past its position (`push_feed`), writing a `push_outbox` row per
 * pusher of each notified user and moving the position in the same statement; the queue then
 * gets a job per pusher. Because the position is durable and timeline positions commit in order,
 * a notification committed while no process listened (a crash between commit and the bus, a
 * restart) is read at the next start or sweep: none is lost, none is pushed twice.
 */
@Injectable()
export class PushFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PushFeed.name);
  private running: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;
  /** Unknown until the first round reads the stored position, and again after another process moved it. */
  private positions: FeedPositions | undefined;

  constructor(
    private readonly notifications: NotificationFeed,
    private readonly pushers: PusherRepository,
    private readonly outbox: PushOutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
    @Inject(PUSH_POLICY) private readonly policy: PushPolicy,
    @Inject(PUSH_QUEUE) private readonly queue: DeliveryQueue,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(['events'], PushFeed.name, () => this.poke(), { background: true });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.running;
    await this.tx
      .read((em) => this.storeReadPosition(em))
      .catch((error: unknown) => this.logger.warn(`storing the push feed's position failed: ${String(error)}`));
  }

  /** Reads what committed since the last read; one read at a time in this process, another after it if poked meanwhile. */
  poke(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.error(`reading notifications for push failed: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.poke();
        }
      });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (await this.tx.read((em) => this.feedOnce(em)));
  }

  /**
   * One round: read what committed past the feed's position, then record its pushes and move the
   * stored position in one statement (no transaction held open); a round that pushes nothing moves
   * it at most every STORE_LAG_MS. True when there may be more to read.
   */
  private async feedOnce(em: EntityManager): Promise<boolean> {
    const positions = this.positions ?? (await this.storedPositions(em));
    const { notifications, upTo, more } = await this.notifications.since(positions.read, POSITIONS_PER_ROUND, em);
    if (upTo === positions.read) {
      await this.storeReadPosition(em);
      return false;
    }
    const rows = await this.pushesFor(notifications, em);
    if (rows.length === 0 && Date.now() - positions.storedAt < STORE_LAG_MS) {
      positions.read = upTo;
      return more;
    }
    if (!(await this.outbox.advanceFeed(positions.stored, upTo, rows, em))) {
      // Another process recorded these meanwhile; read on from where it got to.
      this.positions = undefined;
      return true;
    }
    this.positions = { read: upTo, stored: upTo, storedAt: Date.now() };
    this.wake(new Set(rows.map((row) => row.pusherId)));
    return more;
  }

  private async storedPositions(em: EntityManager): Promise<FeedPositions> {
    const stored = await this.outbox.feedPosition(em);
    this.positions = { read: stored, stored, storedAt: Date.now() };
    return this.positions;
  }

  /** Stores how far this process read, if that is past the stored position (nothing between was pushed). */
  private async storeReadPosition(em: EntityManager): Promise<void> {
    const positions = this.positions;
    if (!positions || positions.read === positions.stored) return;
    if (await this.outbox.advanceFeed(positions.stored, positions.read, [], em))
      this.positions = { read: positions.read, stored: positions.read, storedAt: Date.now() };
    else this.positions = undefined;
  }

  private wake(pusherIds: Iterable<number>): void {
    for (const id of pusherIds)
      this.queue
        .schedule(String(id))
        .catch((error: unknown) =>
          this.logger.warn(`scheduling pusher ${id} failed (the sweep will): ${String(error)}`),
        );
  }

  /** One row per pusher of each notified user, for the notifications the push policy lets through. */
  private async pushesFor(notifications: readonly CommittedNotification[], em: EntityManager): Promise<NewPush[]> {
    if (notifications.length === 0) return [];
    const byUser = await this.pushers.ofUsers([...new Set(notifications.map((n) => n.userId))], em);
    const now = Date.now();
    const rows: NewPush[] = [];
    for (const notification of notifications) {
      const pushers = byUser.get(notification.userId);
      if (!pushers || !(await this.policy.allows(notification, now, em))) continue;
      for (const pusher of pushers)
        rows.push({
          pusherId: pusher.id,
          roomId: notification.roomId,
          eventId: notification.eventId,
          streamOrdering: notification.streamOrdering,
          highlight: notification.highlight,
          createdTs: now,
        });
    }
    return rows;
  }
}
