import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { KeyLookupReads, queryRows } from '@hearth/storage';

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
  /** Set by the visibility filters: the sender was erased and this reader gets the event pruned. */
  readonly erased?: boolean;
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
  constructor(private readonly keyLookups: KeyLookupReads) {}

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
  async transactionIds(
    device: { readonly userId: string; readonly deviceId: string },
    events: readonly StoredEvent[],
    em: EntityManager,
  ): Promise<Map<string, string>> {
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
  async page(
    roomId: string,
    from: number,
    direction: 'b' | 'f',
    limit: number,
    em: EntityManager,
    filter: { sql: string; parameters: unknown[] } = { sql: '', parameters: [] },
  ): Promise<StoredEvent[]> {
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
    const rows = await this.keyLookups.rows<EventRow>(
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
  async stateGroupsAtPosition(
    roomIds: readonly string[],
    position: number,
    em: EntityManager,
  ): Promise<Map<string, number | null>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{ room_id: string; state_group_after: string | null }>(
      em,
      `SELECT w.room_id, last.state_group_after FROM unnest($1::text[]) AS w (room_id)
       CROSS JOIN LATERAL (SELECT state_group_after FROM events WHERE room_id = w.room_id AND stream_ordering <= $2 ORDER BY stream_ordering DESC LIMIT 1) last`,
      [roomIds, position],
    );
    return new Map(
      rows.map((row) => [row.room_id, row.state_group_after === null ? null : Number(row.state_group_after)]),
    );
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
    const rows = await queryRows<{ state_group_after: string | null }>(
      em,
      'SELECT state_group_after FROM events WHERE event_id = $1',
      [eventId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.state_group_after === null ? null : Number(row.state_group_after);
  }

  /** The room's leaves with what the next event needs of them: depth and the state after them. */
  async forwardExtremities(
    roomId: string,
    em: EntityManager,
  ): Promise<Array<{ eventId: string; depth: number; stateGroupAfter: number | null }>> {
    const rows = await queryRows<{ event_id: string; depth: string; state_group_after: string | null }>(
      em,
      'SELECT f.event_id, e.depth, e.state_group_after FROM room_forward_extremities f JOIN events e ON e.event_id = f.event_id WHERE f.room_id = $1',
      [roomId],
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      depth: Number(row.depth),
      stateGroupAfter: row.state_group_after === null ? null : Number(row.state_group_after),
    }));
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
