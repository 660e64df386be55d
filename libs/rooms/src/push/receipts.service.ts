import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { roomErrors } from '../room-errors';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { NotificationCounts, type UnreadCounts } from './notification-counts';

export const RECEIPT_TYPES = ['m.read', 'm.read.private', 'm.fully_read'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export type { ReceiptChange } from '@hearth/storage';

export type { UnreadCounts } from './notification-counts';

/**
 * Read receipts and the read marker (spec "Receipts", "Read markers"), and the unread counts
 * they imply. A receipt only ever moves forward. Thread '' is the unthreaded receipt. Each one
 * set is published on the change bus (stream `receipts`) once committed: sync wakes the room,
 * federation sends public ones on.
 */
@Injectable()
export class ReceiptsService {
  constructor(
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
      const position = await this.upsert(roomId, userId, type, threadId ?? '', eventId, stored.streamOrdering, em);
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

  /** The receipt's new stream position; undefined when it did not move forward. */
  private async upsert(
    roomId: string,
    userId: string,
    type: string,
    threadId: string,
    eventId: string,
    streamOrdering: number,
    em: EntityManager,
  ): Promise<number | undefined> {
    const rows: Array<{ stream_id: string }> = await em.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'receipts' RETURNING position)
       INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, stream_ordering, ts, stream_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, counter.position FROM counter
       ON CONFLICT (room_id, user_id, receipt_type, thread_id)
       DO UPDATE SET event_id = EXCLUDED.event_id, stream_ordering = EXCLUDED.stream_ordering, ts = EXCLUDED.ts, stream_id = EXCLUDED.stream_id
       WHERE receipts.stream_ordering < EXCLUDED.stream_ordering
       RETURNING stream_id`,
      [roomId, userId, type, threadId, eventId, streamOrdering, Date.now()],
    );
    return rows[0] ? Number(rows[0].stream_id) : undefined;
  }
}
