import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** A notification about an event that a pusher has yet to hand its gateway. */
export interface NewPush {
  readonly pusherId: number;
  readonly roomId: string;
  readonly eventId: string;
  readonly streamOrdering: number;
  readonly highlight: boolean;
  readonly createdTs: number;
}

/** What a pusher has yet to send: a notification about an event, or (`badge`) only the unread count. */
export type PendingPush =
  | (NewPush & { readonly id: number; readonly kind: 'event' })
  | { readonly id: number; readonly kind: 'badge'; readonly pusherId: number; readonly createdTs: number };

/** A push_outbox row as PostgreSQL returns it: bigints as text, or as numbers from JSON. */
export interface PendingRow {
  id: string | number;
  pusher_id: string | number;
  room_id: string | null;
  event_id: string | null;
  stream_ordering: string | number | null;
  highlight: boolean;
  created_ts: string | number;
}

export const PENDING_COLUMNS = 'id, pusher_id, room_id, event_id, stream_ordering, highlight, created_ts';

/** What each pusher must still send, in order (ids grow in the order notifications were fed). */
@Injectable()
export class PushOutboxRepository {
  /** The pusher's oldest pending notifications. */
  async next(pusherId: number, limit: number, em: EntityManager): Promise<PendingPush[]> {
    const rows = await queryRows<PendingRow>(
      em,
      `SELECT ${PENDING_COLUMNS} FROM push_outbox WHERE pusher_id = $1 ORDER BY id LIMIT $2`,
      [pusherId, limit],
    );
    return rows.map(toPending);
  }

  /** A badge update for each pusher, unless one is waiting already. */
  async insertBadges(pusherIds: readonly number[], now: number, em: EntityManager): Promise<void> {
    if (pusherIds.length === 0) return;
    await em.query(
      `INSERT INTO push_outbox (pusher_id, created_ts) SELECT unnest($1::bigint[]), $2
       ON CONFLICT (pusher_id) WHERE event_id IS NULL DO NOTHING`,
      [pusherIds, now],
    );
  }

  async delete(ids: readonly number[], em: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await em.query('DELETE FROM push_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  async pushersWithPending(em: EntityManager): Promise<number[]> {
    const rows = await queryRows<{ pusher_id: string }>(em, 'SELECT DISTINCT pusher_id FROM push_outbox');
    return rows.map((row) => Number(row.pusher_id));
  }

  async feedPosition(em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ position: string }>(em, 'SELECT position FROM push_feed');
    return Number(row?.position ?? 0);
  }

  /**
   * Moves the feed from `from` to `to` and records the pushes read in between, in one statement,
   * only if the feed is still at `from`: of two feeders (processes) that read the same notifications,
   * one records them and the other finds the feed moved (false) and reads on from there.
   */
  async advanceFeed(from: number, to: number, rows: readonly NewPush[], em: EntityManager): Promise<boolean> {
    const [row] = await queryRows<{ advanced: boolean }>(
      em,
      `WITH moved AS (UPDATE push_feed SET position = $2 WHERE position = $1 RETURNING 1),
       pushed AS (
         INSERT INTO push_outbox (pusher_id, room_id, event_id, stream_ordering, highlight, created_ts)
         SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::boolean[], $8::bigint[])
          WHERE EXISTS (SELECT 1 FROM moved))
       SELECT EXISTS (SELECT 1 FROM moved) AS advanced`,
      [
        from,
        to,
        rows.map((push) => push.pusherId),
        rows.map((push) => push.roomId),
        rows.map((push) => push.eventId),
        rows.map((push) => push.streamOrdering),
        rows.map((push) => push.highlight),
        rows.map((push) => push.createdTs),
      ],
    );
    return row?.advanced === true;
  }
}

export function toPending(row: PendingRow): PendingPush {
  const common = { id: Number(row.id), pusherId: Number(row.pusher_id), createdTs: Number(row.created_ts) };
  if (row.event_id === null || row.room_id === null) return { ...common, kind: 'badge' };
  return {
    ...common,
    kind: 'event',
    roomId: row.room_id,
    eventId: row.event_id,
    streamOrdering: Number(row.stream_ordering),
    highlight: row.highlight,
  };
}
