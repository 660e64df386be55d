import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { queryRows, TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { roomErrors } from '../room-errors';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';

export const RECEIPT_TYPES = ['m.read', 'm.read.private', 'm.fully_read'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export interface ReceiptChange {
  readonly roomId: string;
  readonly userId: string;
  readonly type: string;
  readonly eventId: string;
  readonly threadId?: string;
  readonly ts: number;
}

export interface UnreadCounts {
  readonly notification_count: number;
  readonly highlight_count: number;
}

/**
 * Read receipts and the read marker (spec "Receipts", "Read markers"), and the unread counts
 * they imply. A receipt only ever moves forward. Thread '' is the unthreaded receipt.
 */
@Injectable()
export class ReceiptsService {
  private readonly listeners: Array<(roomId: string) => void> = [];
  private readonly receiptListeners: Array<(receipt: ReceiptChange) => void> = [];

  constructor(
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async setReceipt(roomId: string, userId: string, type: string, eventId: string, threadId: string | undefined): Promise<void> {
    if (!(RECEIPT_TYPES as readonly string[]).includes(type)) throw MatrixError.invalidParam(`Unknown receipt type ${type}`);
    if (type === 'm.fully_read' && threadId !== undefined) throw MatrixError.invalidParam('The read marker is not threaded');
    await this.tx.run(async (em) => {
      if ((await this.state.membership(roomId, userId, em)) !== 'join') throw roomErrors.notInRoom();
      const stored = await this.events.find(eventId, em);
      if (!stored || stored.event.room_id !== roomId) throw MatrixError.notFound('Event not found');
      await this.upsert(roomId, userId, type, threadId ?? '', eventId, stored.streamOrdering, em);
      if (type !== 'm.fully_read') await this.forgetReadNotifications(roomId, userId, threadId ?? '', stored.streamOrdering, em);
    });
    for (const listener of this.listeners) listener(roomId);
    for (const listener of this.receiptListeners) listener({ roomId, userId, type, eventId, ...(threadId !== undefined ? { threadId } : {}), ts: Date.now() });
  }

  /** Hears each receipt or read marker set through this process, with its details: federation sends public ones on. */
  onReceiptSet(listener: (receipt: ReceiptChange) => void): void {
    this.receiptListeners.push(listener);
  }

  /** Listeners hear of every committed receipt or read marker, with its room (the sync notifier is one). */
  onChange(listener: (roomId: string) => void): void {
    this.listeners.push(listener);
  }

  /** Notifications and highlights after the user's latest read receipt, per thread ('' = main timeline). */
  async unreadCounts(roomId: string, userId: string, em?: EntityManager): Promise<Map<string, UnreadCounts>> {
    const run = async (manager: EntityManager) => (await this.unreadCountsOfRooms([roomId], userId, manager)).get(roomId) ?? new Map<string, UnreadCounts>();
    return em ? run(em) : this.tx.run(run);
  }

  /**
   * `unreadCounts` for many rooms in one statement. The user's receipts are read once, not once
   * per notification row (446 ms to 152 ms for 200,000 unread over five rooms). The cost still
   * grows with what is unread: receipts delete what they cover, but a user who never sends one
   * keeps every notification (Synapse folds old ones into per-room summaries; not built).
   */
  async unreadCountsOfRooms(roomIds: readonly string[], userId: string, em: EntityManager): Promise<Map<string, Map<string, UnreadCounts>>> {
    const result = new Map(roomIds.map((roomId) => [roomId, new Map<string, UnreadCounts>()]));
    if (roomIds.length === 0) return result;
    const rows = await queryRows<{ room_id: string; thread_id: string; notifications: string; highlights: string }>(
      em,
      `WITH read AS MATERIALIZED (
         SELECT r.room_id, r.thread_id, max(r.stream_ordering) AS position FROM receipts r
          WHERE r.user_id = $1 AND r.room_id = ANY($2::text[]) AND r.receipt_type IN ('m.read', 'm.read.private')
          GROUP BY r.room_id, r.thread_id)
       SELECT a.room_id, a.thread_id, count(*) AS notifications, count(*) FILTER (WHERE a.highlight) AS highlights
         FROM event_push_actions a
         LEFT JOIN read unthreaded ON unthreaded.room_id = a.room_id AND unthreaded.thread_id = ''
         LEFT JOIN read threaded ON threaded.room_id = a.room_id AND threaded.thread_id = CASE WHEN a.thread_id = '' THEN 'main' ELSE a.thread_id END
        WHERE a.user_id = $1 AND a.room_id = ANY($2::text[])
          AND a.stream_ordering > GREATEST(COALESCE(unthreaded.position, 0), COALESCE(threaded.position, 0))
        GROUP BY a.room_id, a.thread_id`,
      [userId, roomIds],
    );
    for (const row of rows) result.get(row.room_id)?.set(row.thread_id, { notification_count: Number(row.notifications), highlight_count: Number(row.highlights) });
    return result;
  }

  /**
   * Notifications at or before a read receipt are never counted again (unread counts start after
   * the receipt), so they go: the table holds what is unread, not every notification ever. An
   * unthreaded receipt covers every thread; a threaded one its own ('main' is the timeline).
   */
  private async forgetReadNotifications(roomId: string, userId: string, threadId: string, streamOrdering: number, em: EntityManager): Promise<void> {
    await em.query(
      `DELETE FROM event_push_actions
        WHERE user_id = $1 AND room_id = $2 AND stream_ordering <= $3
          AND ($4 = '' OR thread_id = CASE WHEN $4 = 'main' THEN '' ELSE $4 END)`,
      [userId, roomId, streamOrdering, threadId],
    );
  }

  private async upsert(roomId: string, userId: string, type: string, threadId: string, eventId: string, streamOrdering: number, em: EntityManager): Promise<void> {
    await em.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'receipts' RETURNING position)
       INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, stream_ordering, ts, stream_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, counter.position FROM counter
       ON CONFLICT (room_id, user_id, receipt_type, thread_id)
       DO UPDATE SET event_id = EXCLUDED.event_id, stream_ordering = EXCLUDED.stream_ordering, ts = EXCLUDED.ts, stream_id = EXCLUDED.stream_id
       WHERE receipts.stream_ordering < EXCLUDED.stream_ordering`,
      [roomId, userId, type, threadId, eventId, streamOrdering, Date.now()],
    );
  }
}
