import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** A notification a pusher has yet to hand its gateway. */
export interface PendingPush {
  readonly id: number;
  readonly pusherId: number;
  readonly roomId: string;
  readonly eventId: string;
  readonly streamOrdering: number;
  readonly highlight: boolean;
  readonly createdTs: number;
}

export type NewPush = Omit<PendingPush, 'id'>;

interface PendingRow {
  id: string;
  pusher_id: string;
  room_id: string;
  event_id: string;
  stream_ordering: string;
  highlight: boolean;
  created_ts: string;
}

/** What each pusher must still send, in order (ids grow in the order notifications were fed). */
@Injectable()
export class PushOutboxRepository {
  async insert(rows: readonly NewPush[], em: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO push_outbox (pusher_id, room_id, event_id, stream_ordering, highlight, created_ts)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::bigint[])`,
      [
        rows.map((row) => row.pusherId),
        rows.map((row) => row.roomId),
        rows.map((row) => row.eventId),
        rows.map((row) => row.streamOrdering),
        rows.map((row) => row.highlight),
        rows.map((row) => row.createdTs),
      ],
    );
  }

  /** The pusher's oldest pending notifications. */
  async next(pusherId: number, limit: number, em: EntityManager): Promise<PendingPush[]> {
    const rows = await queryRows<PendingRow>(
      em,
      'SELECT id, pusher_id, room_id, event_id, stream_ordering, highlight, created_ts FROM push_outbox WHERE pusher_id = $1 ORDER BY id LIMIT $2',
      [pusherId, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      pusherId: Number(row.pusher_id),
      roomId: row.room_id,
      eventId: row.event_id,
      streamOrdering: Number(row.stream_ordering),
      highlight: row.highlight,
      createdTs: Number(row.created_ts),
    }));
  }

  async delete(ids: readonly number[], em: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await em.query('DELETE FROM push_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  async pushersWithPending(em: EntityManager): Promise<number[]> {
    const rows = await queryRows<{ pusher_id: string }>(em, 'SELECT DISTINCT pusher_id FROM push_outbox');
    return rows.map((row) => Number(row.pusher_id));
  }

  /** Takes the feed's position for this transaction: one feeder at a time, across processes. */
  async lockFeedPosition(em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ position: string }>(em, 'SELECT position FROM push_feed FOR UPDATE');
    return Number(row?.position ?? 0);
  }

  async setFeedPosition(position: number, em: EntityManager): Promise<void> {
    await em.query('UPDATE push_feed SET position = $1', [position]);
  }
}
