import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { preparedStatement, queryPrepared, queryPreparedAndCommit, queryRows } from '@hearth/storage';

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

/**
 * Positions come from the `stream_positions` counter row, taken in this statement: a second
 * writer waits here until the first commits, so positions become visible in order (see the
 * SyncStreams migration). Rows refer to their event by its 1-based index in the batch.
 */
const INSERT_EVENTS = preparedStatement(
  'insert_events',
  `WITH counter AS (UPDATE stream_positions SET position = position + $42::int WHERE stream = 'events' RETURNING position - $42::int AS base),
   ev AS (
     INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu, state_group_before, state_group_after)
     SELECT e.event_id, e.room_id, counter.base + e.n, e.depth, e.type, e.state_key, e.sender, e.ts, e.pdu, e.before, e.after
       FROM counter, unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::jsonb[], $9::bigint[], $10::bigint[])
            WITH ORDINALITY AS e (event_id, room_id, depth, type, state_key, sender, ts, pdu, before, after, n)),
   prev AS (INSERT INTO event_edges (event_id, prev_event_id) SELECT * FROM unnest($11::text[], $12::text[])),
   auth AS (INSERT INTO event_auth_edges (event_id, auth_event_id) SELECT * FROM unnest($13::text[], $14::text[])),
   txn AS (INSERT INTO event_txns (user_id, device_id, txn_id, event_id, body_hash, created_ts)
           SELECT t.*, $20::bigint FROM unnest($15::text[], $16::text[], $17::text[], $18::text[], $19::text[]) AS t),
   gone AS (DELETE FROM room_forward_extremities WHERE room_id = ANY($21::text[])),
   extremity AS (INSERT INTO room_forward_extremities (room_id, event_id) SELECT * FROM unnest($21::text[], $22::text[])),
   state AS (INSERT INTO current_state (room_id, type, state_key, event_id, membership)
             SELECT * FROM unnest($23::text[], $24::text[], $25::text[], $26::text[], $27::text[])
             ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = EXCLUDED.event_id, membership = EXCLUDED.membership),
   relation AS (INSERT INTO event_relations (event_id, room_id, relates_to_id, rel_type, type, stream_ordering)
                SELECT r.event_id, r.room_id, r.relates_to, r.rel_type, r.type, counter.base + r.n
                  FROM counter, unnest($28::text[], $29::text[], $30::text[], $31::text[], $32::text[], $33::bigint[]) AS r (event_id, room_id, relates_to, rel_type, type, n)
                ON CONFLICT DO NOTHING),
   redacted AS (UPDATE events SET redacted_by = r.redaction FROM unnest($34::text[], $35::text[]) AS r (target, redaction)
                 WHERE events.event_id = r.target AND events.redacted_by IS NULL),
   notified AS (INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
                SELECT a.user_id, a.room_id, a.event_id, counter.base + a.n, a.thread_id, a.highlight
                  FROM counter, unnest($36::text[], $37::text[], $38::text[], $39::bigint[], $40::text[], $41::boolean[]) AS a (user_id, room_id, event_id, n, thread_id, highlight))
   SELECT base FROM counter`,
);

/** The insert statement's parameters: one array per column, filled event by event. */
class InsertColumns {
  private readonly events: unknown[][] = Array.from({ length: 10 }, () => []);
  private readonly prevEdges: string[][] = [[], []];
  private readonly authEdges: string[][] = [[], []];
  private readonly txns: string[][] = [[], [], [], [], []];
  private readonly extremities = new Map<string, string>();
  private readonly state: Array<Array<string | null>> = [[], [], [], [], []];
  private readonly relations: unknown[][] = [[], [], [], [], [], []];
  private readonly redactions: string[][] = [[], []];
  private readonly notifications: unknown[][] = [[], [], [], [], [], []];
  private count = 0;

  add(event: RoomEvent, writes: EventWrites): void {
    const n = ++this.count;
    const { event_id: eventId, room_id: roomId, ...rest } = event;
    const pdu = writes.pduHasRoomId ? { ...rest, room_id: roomId } : rest;
    push(this.events, [eventId, roomId, event.depth, event.type, event.state_key ?? null, event.sender, event.origin_server_ts, JSON.stringify(pdu), writes.stateGroups.before, writes.stateGroups.after]);
    for (const prev of event.prev_events) push(this.prevEdges, [eventId, prev]);
    for (const auth of event.auth_events) push(this.authEdges, [eventId, auth]);
    if (writes.txn) push(this.txns, [writes.txn.userId, writes.txn.deviceId, writes.txn.txnId, eventId, writes.txn.bodyHash]);
    this.extremities.set(roomId, eventId);
    if (event.state_key !== undefined) push(this.state, [roomId, event.type, event.state_key, eventId, writes.membership ?? null]);
    if (writes.relation) push(this.relations, [eventId, roomId, writes.relation.relatesTo, writes.relation.relType, event.type, n]);
    if (writes.redacts !== undefined) push(this.redactions, [writes.redacts, eventId]);
    const notifications = writes.notifications;
    notifications?.users.forEach((userId, i) => push(this.notifications, [userId, roomId, eventId, n, notifications.threadId, notifications.highlights[i] ?? false]));
  }

  parameters(now: number): unknown[] {
    return [
      ...this.events,
      ...this.prevEdges,
      ...this.authEdges,
      ...this.txns,
      now,
      [...this.extremities.keys()],
      [...this.extremities.values()],
      ...this.state,
      ...this.relations,
      ...this.redactions,
      ...this.notifications,
      this.count,
    ];
  }
}

function push<T>(columns: T[][], values: readonly T[]): void {
  values.forEach((value, i) => columns[i]?.push(value));
}

const SELECT_EVENT = 'SELECT event_id, room_id, pdu, stream_ordering, redacted_by, state_group_before FROM events';

@Injectable()
export class EventRepository {
  /**
   * Everything new events change, in one statement for any number of events and rooms: the
   * events at the next stream positions, in the order given, their DAG edges, each room's new
   * sole forward extremity (our events reference every extremity), the client transactions, the
   * current state, relations, redaction marks and members' notifications. At most one state
   * event per state key per call. Returns the events' stream positions. With `andCommit`, the
   * statement ends the transaction, its COMMIT queued behind it (queryPreparedAndCommit), so it
   * holds the position counter for little more than its execution and the WAL flush.
   */
  async insertMany(items: ReadonlyArray<{ event: RoomEvent; writes: EventWrites }>, em: EntityManager, { andCommit = false } = {}): Promise<number[]> {
    const columns = new InsertColumns();
    for (const item of items) columns.add(item.event, item.writes);
    const query = andCommit ? queryPreparedAndCommit : queryPrepared;
    const [row] = await query<{ base: string }>(em, INSERT_EVENTS, columns.parameters(Date.now()));
    const base = Number(row?.base);
    return items.map((_, i) => base + i + 1);
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
   * The transaction IDs one device sent these events with, by event ID: only that device's, as
   * `unsigned.transaction_id` is for the client that sent the event (spec, ClientEvent).
   */
  async transactionIds(device: { readonly userId: string; readonly deviceId: string }, events: readonly StoredEvent[], em: EntityManager): Promise<Map<string, string>> {
    const own = events.filter((stored) => stored.event.sender === device.userId).map((stored) => stored.event.event_id);
    if (own.length === 0) return new Map();
    const rows = await queryRows<{ event_id: string; txn_id: string }>(
      em,
      'SELECT event_id, txn_id FROM event_txns WHERE event_id = ANY($1::text[]) AND user_id = $2 AND device_id = $3',
      [own, device.userId, device.deviceId],
    );
    return new Map(rows.map((row) => [row.event_id, row.txn_id]));
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

  /**
   * For many rooms at once: each room's newest `limit` events in (after, upTo], newest first.
   * One statement; each room is an index range scan of its own.
   */
  async pagesBetween(
    windows: ReadonlyArray<{ roomId: string; after: number }>,
    upTo: number,
    limit: number,
    em: EntityManager,
    filter: { sql: string; parameters: unknown[] } = { sql: '', parameters: [] },
  ): Promise<Map<string, StoredEvent[]>> {
    const result = new Map<string, StoredEvent[]>(windows.map((w) => [w.roomId, []]));
    if (windows.length === 0) return result;
    const rows = await queryRows<EventRow>(
      em,
      `SELECT page.* FROM unnest($1::text[], $2::bigint[]) AS w (room_id, after)
       CROSS JOIN LATERAL (
         ${SELECT_EVENT} WHERE room_id = w.room_id AND stream_ordering > w.after AND stream_ordering <= $3${filter.sql}
         ORDER BY stream_ordering DESC LIMIT $4) page`,
      [windows.map((w) => w.roomId), windows.map((w) => w.after), upTo, limit, ...filter.parameters],
    );
    for (const row of rows) result.get(row.room_id)?.push(toStored(row));
    return result;
  }

  /** The state groups after each room's last event at or before a stream position. */
  async stateGroupsAtPosition(roomIds: readonly string[], position: number, em: EntityManager): Promise<Map<string, number | null>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{ room_id: string; state_group_after: string | null }>(
      em,
      `SELECT w.room_id, last.state_group_after FROM unnest($1::text[]) AS w (room_id)
       CROSS JOIN LATERAL (SELECT state_group_after FROM events WHERE room_id = w.room_id AND stream_ordering <= $2 ORDER BY stream_ordering DESC LIMIT 1) last`,
      [roomIds, position],
    );
    return new Map(rows.map((row) => [row.room_id, row.state_group_after === null ? null : Number(row.state_group_after)]));
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
