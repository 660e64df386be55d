import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

export interface ReceiptRow {
  readonly userId: string;
  readonly receiptType: string;
  readonly threadId: string;
  readonly eventId: string;
  readonly ts: number;
}

/**
 * The `receipts` table: read receipts and read markers (`m.fully_read`), one row per room, user,
 * type and thread, each carrying its position in the receipt stream.
 */
@Injectable()
export class ReceiptRepository {
  /** The receipt's new stream position; undefined when it did not move forward. */
  async upsert(
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

  /** Receipts in the rooms that moved in (since, upTo] of the receipt stream. */
  async receiptsSince(
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Map<string, ReceiptRow[]>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{
      room_id: string;
      user_id: string;
      receipt_type: string;
      thread_id: string;
      event_id: string;
      ts: string;
    }>(
      em,
      `SELECT room_id, user_id, receipt_type, thread_id, event_id, ts FROM receipts
        WHERE room_id = ANY($1::text[]) AND stream_id > $2 AND stream_id <= $3 AND receipt_type <> 'm.fully_read'`,
      [roomIds, since, upTo],
    );
    const byRoom = new Map<string, ReceiptRow[]>();
    for (const row of rows) {
      const list = byRoom.get(row.room_id) ?? [];
      list.push({
        userId: row.user_id,
        receiptType: row.receipt_type,
        threadId: row.thread_id,
        eventId: row.event_id,
        ts: Number(row.ts),
      });
      byRoom.set(row.room_id, list);
    }
    return byRoom;
  }

  /** The user's read markers that moved after `since` in the receipt stream, by room. */
  async readMarkersSince(userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, string>> {
    const rows = await queryRows<{ room_id: string; event_id: string }>(
      em,
      `SELECT room_id, event_id FROM receipts WHERE user_id = $1 AND receipt_type = 'm.fully_read' AND thread_id = '' AND stream_id > $2 AND stream_id <= $3`,
      [userId, since, upTo],
    );
    return new Map(rows.map((row) => [row.room_id, row.event_id]));
  }
}
