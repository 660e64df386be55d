import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { NotificationFeed } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { retryDelay } from '../destinations/backoff';
import type { DeliveryQueue } from '../queue/delivery-queue';
import { gatewayUrlProblem } from './gateway-address';
import { GatewayClient, type GatewayAnswer } from './gateway-client';
import { notifyBody } from './push-notification';
import { PushOutboxRepository, type PendingPush } from './push-outbox.repository';
import { PusherRepository, type LeasedPusher } from './pusher.repository';
import { PUSH_QUEUE } from './push-queue';

/** Notifications read per round; each is its own request, in order. */
const BATCH = 20;
/** Beyond the gateway timeout, how long a sender holds its pusher per round; a killed sender's lease runs out. */
const LEASE_MS = 30_000;

/**
 * One pusher's job: under its lease, hand the gateway each pending notification in order, one
 * request each, deleting a row once the gateway took it. A gateway that is down backs the pusher
 * off (the job comes back when the backoff ends); one that rejects the push key removes the
 * pusher (spec); one that refuses a request for good (a 4xx) loses that notification only.
 */
@Injectable()
export class PushSender {
  private readonly logger = new Logger(PushSender.name);
  private readonly owner = randomUUID();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(PUSH_QUEUE) private readonly queue: DeliveryQueue,
    private readonly pushers: PusherRepository,
    private readonly outbox: PushOutboxRepository,
    private readonly feed: NotificationFeed,
    private readonly gateway: GatewayClient,
    private readonly tx: TransactionRunner,
  ) {}

  async deliver(job: string): Promise<void> {
    const id = Number(job);
    const now = Date.now();
    // Single statements, each committed as it returns: a push is one request, not worth a transaction.
    const leased = await this.tx.read((em) =>
      this.pushers.leaseWithPending(id, this.owner, now, now + LEASE_MS, BATCH, em),
    );
    if (!leased) return this.comeBackLater(id, now);
    try {
      await this.sendPending(leased.pusher, leased.pending);
    } finally {
      await this.tx
        .read((em) => this.pushers.release(id, this.owner, em))
        .catch((error: unknown) => this.logger.warn(`releasing pusher ${id}: ${String(error)}`));
    }
  }

  /**
   * Sends page after page while pages come back full. Rows recorded meanwhile scheduled this
   * pusher again, and the queue runs it again after this run (both adapters), so a short page
   * needs no further read.
   */
  private async sendPending(leased: LeasedPusher, firstPage: readonly PendingPush[]): Promise<void> {
    const url = String(leased.data.url);
    let pusher = leased;
    let page = firstPage;
    for (;;) {
      for (const push of page) {
        if ((await this.sendOne(pusher, url, push)) === 'stop') return;
        pusher = { ...pusher, failures: 0 };
      }
      if (page.length < BATCH) return;
      page = await this.tx.read((em) => this.outbox.next(pusher.id, BATCH, em));
    }
  }

  /** Sends one notification and records the outcome; 'stop' when the pusher backs off or is gone. */
  private async sendOne(pusher: LeasedPusher, url: string, push: PendingPush): Promise<'next' | 'stop'> {
    const problem = gatewayUrlProblem(url, this.config.push);
    if (problem !== undefined || Date.now() - push.createdTs > this.config.push.maxPendingMs) {
      this.logger.warn(`dropping a notification for pusher ${pusher.id}: ${problem ?? 'pending too long'}`);
      await this.tx.read((em) => this.outbox.delete([push.id], em));
      return 'next';
    }
    let answer: GatewayAnswer;
    try {
      const { unread, event } = await this.tx.read((em) =>
        this.feed.pushContext(pusher.userId, push.kind === 'event' ? push.eventId : null, em),
      );
      const body = notifyBody(pusher, push, unread, event);
      answer = await this.gateway.notify(url, body);
    } catch (error) {
      await this.backOff(pusher, error);
      return 'stop';
    }
    if (answer.kind === 'accepted' && answer.rejected.includes(pusher.pushkey)) {
      this.logger.log(`the gateway rejected the push key of pusher ${pusher.id} (${pusher.appId}): removing it`);
      await this.tx.read((em) => this.pushers.deleteById(pusher.id, em));
      return 'stop';
    }
    if (answer.kind === 'refused')
      this.logger.warn(`the gateway of pusher ${pusher.id} refused a notification (${answer.status}): dropped`);
    await this.tx.read((em) => this.pushers.delivered(push.id, pusher.id, this.owner, Date.now() + LEASE_MS, em));
    return 'next';
  }

  private async backOff(pusher: LeasedPusher, error: unknown): Promise<void> {
    const delay = retryDelay(pusher.failures + 1, this.config.push.maxRetryIntervalMs);
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `pushing to the gateway of pusher ${pusher.id} failed (attempt ${pusher.failures + 1}), retrying in ${Math.round(delay / 1000)} s: ${message}`,
    );
    await this.tx.read((em) => this.pushers.failed(pusher.id, message, Date.now() + delay, em));
    await this.queue.schedule(String(pusher.id), delay);
  }

  /** Not taken: it backs off, or another sender holds it; come back when that ends (nothing if it is gone). */
  private async comeBackLater(id: number, now: number): Promise<void> {
    const until = await this.tx.read((em) => this.pushers.busyUntil(id, em));
    if (until !== undefined && until > now) await this.queue.schedule(String(id), until - now + 50);
  }
}
