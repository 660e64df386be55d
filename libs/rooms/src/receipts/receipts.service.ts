import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { roomErrors } from '../room-errors';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { NotificationCounts, type UnreadAsk, type UnreadCounts } from '../push/notification-counts';
import { receiptContent } from './receipt-content';
import { ReceiptRepository } from './receipt.repository';

export const RECEIPT_TYPES = ['m.read', 'm.read.private', 'm.fully_read'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export type { ReceiptChange } from '@hearth/storage';

export type { UnreadCounts } from '../push/notification-counts';

/**
 * Read receipts and the read marker (spec "Receipts", "Read markers"), and the unread counts
 * they imply. A receipt only ever moves forward. Thread '' is the unthreaded receipt. Each one
 * set is published on the change bus (stream `receipts`) once committed: sync wakes the room,
 * federation sends public ones on.
 */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly stored: ReceiptRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
    private readonly notifications: NotificationCounts,
    private readonly bus: ChangeBus,
  ) {}

  async setReceipt(
    roomId: string,
    userId: string,
    type: string,
    eventId: string,
    threadId: string | undefined,
  ): Promise<void> {
    if (!(RECEIPT_TYPES as readonly string[]).includes(type))
      throw MatrixError.invalidParam(`Unknown receipt type ${type}`);
    if (type === 'm.fully_read' && threadId !== undefined)
      throw MatrixError.invalidParam('The read marker is not threaded');
    await this.tx.run(async (em) => {
      if ((await this.state.membership(roomId, userId, em)) !== 'join') throw roomErrors.notInRoom();
      const stored = await this.events.find(eventId, em);
      if (!stored || stored.event.room_id !== roomId) throw MatrixError.notFound('Event not found');
      const position = await this.stored.upsert(
        roomId,
        userId,
        type,
        threadId ?? '',
        eventId,
        stored.streamOrdering,
        em,
      );
      if (type !== 'm.fully_read')
        await this.notifications.forgetRead(roomId, userId, threadId ?? '', stored.streamOrdering, em);
      const receipt = {
        roomId,
        userId,
        type,
        eventId,
        ...(threadId !== undefined ? { threadId } : {}),
        ts: Date.now(),
      };
      // Published even when the receipt did not move (an older one): as before, federation passes it on.
      this.bus.publishAfterCommit(em, {
        stream: 'receipts',
        ...(position !== undefined ? { position } : {}),
        roomIds: [roomId],
        userIds: [],
        receipt,
      });
    });
  }

  /** Notifications and highlights after the user's latest read receipt, per thread ('' = main timeline). */
  async unreadCounts(roomId: string, userId: string, em?: EntityManager): Promise<Map<string, UnreadCounts>> {
    const run = async (manager: EntityManager) =>
      (await this.unreadCountsOfRooms([roomId], userId, manager)).get(roomId) ?? new Map<string, UnreadCounts>();
    return em ? run(em) : this.tx.run(run);
  }

  /** `unreadCounts` for many rooms in one statement. */
  unreadCountsOfRooms(
    roomIds: readonly string[],
    userId: string,
    em: EntityManager,
  ): Promise<Map<string, Map<string, UnreadCounts>>> {
    return this.notifications.ofRooms(roomIds, userId, em);
  }

  /** `unreadCountsOfRooms` for several users in one statement: an answer per ask, in order. */
  unreadCountsOfMany(
    asks: readonly UnreadAsk[],
    em: EntityManager,
  ): Promise<Array<Map<string, Map<string, UnreadCounts>>>> {
    return this.notifications.ofMany(asks, em);
  }

  /** `m.receipt` events per room for receipts that moved in (since, upTo]; private receipts only to their owner. */
  async receiptEvents(
    roomIds: readonly string[],
    userId: string,
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Map<string, JsonObject>> {
    const byRoom = await this.stored.receiptsSince(roomIds, since, upTo, em);
    const result = new Map<string, JsonObject>();
    for (const [roomId, receipts] of byRoom) {
      const content = receiptContent(receipts.filter((r) => r.receiptType !== 'm.read.private' || r.userId === userId));
      if (Object.keys(content).length > 0) result.set(roomId, { type: 'm.receipt', content });
    }
    return result;
  }

  /** The user's read markers (`m.fully_read`) that moved in (since, upTo], by room. */
  readMarkersSince(userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, string>> {
    return this.stored.readMarkersSince(userId, since, upTo, em);
  }
}
