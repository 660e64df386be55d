import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { queryRows } from './sql';

/** The client transaction a send answers, recorded with the event so a retry finds it. */
export interface ClientTxn {
  readonly userId: string;
  readonly deviceId: string;
  readonly txnId: string;
  readonly bodyHash: string;
}

export interface StoredEvent {
  readonly event: RoomEvent;
  readonly streamOrdering: number;
  readonly redactedBy: string | null;
  readonly stateGroupBefore: number | null;
}

interface EventRow {
  event_id: string;
  room_id: string;
  pdu: Record<string, unknown>;
  stream_ordering: string;
  redacted_by: string | null;
  state_group_before: string | null;
}

const SELECT_EVENT = 'SELECT event_id, room_id, pdu, stream_ordering, redacted_by, state_group_before FROM events';

@Injectable()
export class EventRepository {
  /** Inserts the event, its edges, and makes it the room's forward extremity; returns its stream position. */
  async insert(event: RoomEvent, stateGroups: { before: number | null; after: number | null }, em: EntityManager, options: { pduHasRoomId: boolean; txn?: ClientTxn }): Promise<number> {
    const { event_id: eventId, room_id: _roomId, ...rest } = event;
    const pdu = options.pduHasRoomId ? { ...rest, room_id: event.room_id } : rest;
    const [row] = await queryRows<{ stream_ordering: string }>(
      em,
      `INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu, state_group_before, state_group_after)
       VALUES ($1, $2, nextval('events_stream_seq'), $3, $4, $5, $6, $7, $8, $9, $10) RETURNING stream_ordering`,
      [eventId, event.room_id, event.depth, event.type, event.state_key ?? null, event.sender, event.origin_server_ts, JSON.stringify(pdu), stateGroups.before, stateGroups.after],
    );
    // The DAG edges and the room's new sole extremity, in one round trip: our events reference
    // every extremity, so the new event replaces them all.
    const txn = options.txn;
    await em.query(
      `WITH prev AS (INSERT INTO event_edges (event_id, prev_event_id) SELECT $1, unnest($2::text[])),
            auth AS (INSERT INTO event_auth_edges (event_id, auth_event_id) SELECT $1, unnest($3::text[])),
            txn AS (INSERT INTO event_txns (user_id, device_id, txn_id, event_id, body_hash, created_ts)
                    SELECT $5, $6, $7, $1, $8, $9 WHERE $5::text IS NOT NULL),
            gone AS (DELETE FROM room_forward_extremities WHERE room_id = $4)
       INSERT INTO room_forward_extremities (room_id, event_id) VALUES ($4, $1)`,
      [eventId, event.prev_events, event.auth_events, event.room_id, txn?.userId ?? null, txn?.deviceId ?? null, txn?.txnId ?? null, txn?.bodyHash ?? null, txn ? Date.now() : null],
    );
    return Number(row?.stream_ordering);
  }

  async find(eventId: string, em: EntityManager): Promise<StoredEvent | undefined> {
    const rows = await queryRows<EventRow>(em, `${SELECT_EVENT} WHERE event_id = $1`, [eventId]);
    return rows[0] && toStored(rows[0]);
  }

  async findMany(eventIds: readonly string[], em: EntityManager): Promise<Map<string, StoredEvent>> {
    if (eventIds.length === 0) return new Map();
    const rows = await queryRows<EventRow>(em, `${SELECT_EVENT} WHERE event_id = ANY($1)`, [eventIds]);
    return new Map(rows.map((row) => [row.event_id, toStored(row)]));
  }


  /**
   * A page of a room's timeline. A position N lies just after event N: backwards from N reads
   * events at or before it, forwards reads events after it.
   */
  async page(roomId: string, from: number, direction: 'b' | 'f', limit: number, em: EntityManager, filter: { sql: string; parameters: unknown[] } = { sql: '', parameters: [] }): Promise<StoredEvent[]> {
    const bound = direction === 'b' ? 'stream_ordering <= $2' : 'stream_ordering > $2';
    const order = direction === 'b' ? 'DESC' : 'ASC';
    const sql = `${SELECT_EVENT} WHERE room_id = $1 AND ${bound}${filter.sql} ORDER BY stream_ordering ${order} LIMIT $3`;
    return (await queryRows<EventRow>(em, sql, [roomId, from, limit, ...filter.parameters])).map(toStored);
  }

  /** The state group after the room's last event at or before a stream position. */
  async stateGroupAtPosition(roomId: string, position: number, em: EntityManager): Promise<number | null> {
    const rows = await queryRows<{ state_group_after: string | null }>(
      em,
      'SELECT state_group_after FROM events WHERE room_id = $1 AND stream_ordering <= $2 ORDER BY stream_ordering DESC LIMIT 1',
      [roomId, position],
    );
    const group = rows[0]?.state_group_after;
    return group === undefined || group === null ? null : Number(group);
  }

  async stateGroupAfter(eventId: string, em: EntityManager): Promise<number | null | undefined> {
    const rows = await queryRows<{ state_group_after: string | null }>(em, 'SELECT state_group_after FROM events WHERE event_id = $1', [eventId]);
    const row = rows[0];
    if (!row) return undefined;
    return row.state_group_after === null ? null : Number(row.state_group_after);
  }

  async markRedacted(eventId: string, redactionId: string, em: EntityManager): Promise<void> {
    await em.query('UPDATE events SET redacted_by = $2 WHERE event_id = $1 AND redacted_by IS NULL', [eventId, redactionId]);
  }

  /** The room's leaves with what the next event needs of them: depth and the state after them. */
  async forwardExtremities(roomId: string, em: EntityManager): Promise<Array<{ eventId: string; depth: number; stateGroupAfter: number | null }>> {
    const rows = await queryRows<{ event_id: string; depth: string; state_group_after: string | null }>(
      em,
      'SELECT f.event_id, e.depth, e.state_group_after FROM room_forward_extremities f JOIN events e ON e.event_id = f.event_id WHERE f.room_id = $1',
      [roomId],
    );
    return rows.map((row) => ({ eventId: row.event_id, depth: Number(row.depth), stateGroupAfter: row.state_group_after === null ? null : Number(row.state_group_after) }));
  }
}

function toStored(row: EventRow): StoredEvent {
  return {
    // A v12 create event carries no room_id (the room ID is derived from it); clients still get one.
    event: { ...(row.pdu as unknown as Omit<RoomEvent, 'event_id'>), event_id: row.event_id, room_id: row.room_id },
    streamOrdering: Number(row.stream_ordering),
    redactedBy: row.redacted_by,
    stateGroupBefore: row.state_group_before === null ? null : Number(row.state_group_before),
  };
}
