import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { preparedStatement, queryPrepared } from '@hearth/storage';
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

/** What persisting an event writes besides the event row. */
export interface EventWrites {
  readonly stateGroups: { readonly before: number | null; readonly after: number | null };
  /** From room version 12 the create event's PDU has no room_id. */
  readonly pduHasRoomId: boolean;
  readonly txn?: ClientTxn;
  /** The target's membership, for member events. */
  readonly membership?: string;
  readonly relation?: { readonly relatesTo: string; readonly relType: string };
  /** The event a redaction redacts. */
  readonly redacts?: string;
  readonly notifications?: { readonly threadId: string; readonly users: readonly string[]; readonly highlights: readonly boolean[] };
}

const INSERT_EVENT = preparedStatement(
  'insert_event',
  `WITH ev AS (
     INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu, state_group_before, state_group_after)
     VALUES ($1, $2, nextval('events_stream_seq'), $3, $4, $5, $6, $7, $8, $9, $10) RETURNING stream_ordering),
   prev AS (INSERT INTO event_edges (event_id, prev_event_id) SELECT $1, unnest($11::text[])),
   auth AS (INSERT INTO event_auth_edges (event_id, auth_event_id) SELECT $1, unnest($12::text[])),
   txn AS (INSERT INTO event_txns (user_id, device_id, txn_id, event_id, body_hash, created_ts)
           SELECT $13, $14, $15, $1, $16, $17 WHERE $13::text IS NOT NULL),
   gone AS (DELETE FROM room_forward_extremities WHERE room_id = $2),
   extremity AS (INSERT INTO room_forward_extremities (room_id, event_id) VALUES ($2, $1)),
   state AS (INSERT INTO current_state (room_id, type, state_key, event_id, membership)
             SELECT $2, $4, $5, $1, $18 WHERE $5::text IS NOT NULL
             ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = EXCLUDED.event_id, membership = EXCLUDED.membership),
   relation AS (INSERT INTO event_relations (event_id, room_id, relates_to_id, rel_type, type, stream_ordering)
                SELECT $1, $2, $19, $20, $4, ev.stream_ordering FROM ev WHERE $19::text IS NOT NULL
                ON CONFLICT DO NOTHING),
   redacted AS (UPDATE events SET redacted_by = $1 WHERE event_id = $21 AND redacted_by IS NULL),
   notified AS (INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
                SELECT n.user_id, $2, $1, ev.stream_ordering, $22, n.highlight
                  FROM ev, unnest($23::text[], $24::boolean[]) AS n (user_id, highlight))
   SELECT stream_ordering FROM ev`,
);

const SELECT_EVENT = 'SELECT event_id, room_id, pdu, stream_ordering, redacted_by, state_group_before FROM events';

@Injectable()
export class EventRepository {
  /**
   * Everything a new event changes, in one statement: the event, its DAG edges, the room's new
   * sole forward extremity (our events reference every extremity), the client transaction, the
   * current state, the relation, the redaction mark and the members' notifications. Returns the
   * event's stream position.
   */
  async insert(event: RoomEvent, writes: EventWrites, em: EntityManager): Promise<number> {
    const { event_id: eventId, room_id: _roomId, ...rest } = event;
    const pdu = writes.pduHasRoomId ? { ...rest, room_id: event.room_id } : rest;
    const { txn, relation, notifications } = writes;
    const [row] = await queryPrepared<{ stream_ordering: string }>(em, INSERT_EVENT, [
      eventId,
      event.room_id,
      event.depth,
      event.type,
      event.state_key ?? null,
      event.sender,
      event.origin_server_ts,
      JSON.stringify(pdu),
      writes.stateGroups.before,
      writes.stateGroups.after,
      event.prev_events,
      event.auth_events,
      txn?.userId ?? null,
      txn?.deviceId ?? null,
      txn?.txnId ?? null,
      txn?.bodyHash ?? null,
      txn ? Date.now() : null,
      writes.membership ?? null,
      relation?.relatesTo ?? null,
      relation?.relType ?? null,
      writes.redacts ?? null,
      notifications?.threadId ?? '',
      notifications?.users ?? [],
      notifications?.highlights ?? [],
    ]);
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
