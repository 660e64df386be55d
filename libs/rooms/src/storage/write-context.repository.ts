import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type RoomEvent, type StateKeyTuple } from '@hearth/protocol';
import { preparedStatement, queryPrepared } from '@hearth/storage';
import type { ClientTxn } from './event.repository';

/** Everything the writer needs of one room before building events, read under its write lock. */
export interface WriteContext {
  readonly roomVersion: string;
  readonly extremities: ReadonlyArray<{ eventId: string; depth: number; stateGroupAfter: number | null }>;
  /** With more than one extremity (a fork from federation): the group of their resolved state. */
  readonly resolvedStateGroup: number | null;
  readonly authState: Map<StateKeyTuple, RoomEvent>;
  /** Users whose current membership is join, with the version of their push rules. */
  readonly joined: ReadonlyMap<string, number>;
}

/** The write contexts of the rooms asked for (unknown rooms are missing) and what else the batch needs. */
export interface BatchContext {
  readonly rooms: ReadonlyMap<string, WriteContext>;
  /** Events earlier requests of the given client transactions produced, by `txnKey`. */
  readonly earlierTxns: ReadonlyMap<string, { readonly eventId: string; readonly bodyHash: string }>;
}

export type TxnRef = Pick<ClientTxn, 'userId' | 'deviceId' | 'txnId'>;

export function txnKey(txn: TxnRef): string {
  return `${txn.userId}\u0000${txn.deviceId}\u0000${txn.txnId}`;
}

interface ContextRow {
  room_id: string;
  room_version: string;
  resolved_state_group: string | null;
  extremities: Array<{ event_id: string; depth: number; state_group_after: number | null }>;
  auth: Array<{ event_id: string; pdu: Omit<RoomEvent, 'event_id'> }>;
  joined: Array<[string, number]>;
  earlier_txns: Array<{ user_id: string; device_id: string; txn_id: string; event_id: string; body_hash: string }>;
}

/** Rooms are locked in one order, so two batches that share rooms cannot deadlock. */
const LOCK_ROOMS = preparedStatement(
  'lock_rooms',
  'SELECT room_id FROM rooms WHERE room_id = ANY($1::text[]) ORDER BY room_id FOR UPDATE',
);

/**
 * Lookups by key are driven by the batch's own values (a LATERAL subquery with LIMIT, which the
 * planner cannot turn into a join; a correlated subquery), so each stays an index lookup whatever
 * the statistics say: a generic plan made while event_txns looked empty hashed the whole table
 * on every batch, a fifth of PostgreSQL's time in bench:rooms.
 */
const READ_CONTEXTS = preparedStatement(
  'write_contexts',
  `SELECT r.room_id, r.room_version, r.resolved_state_group,
          (SELECT coalesce(json_agg(json_build_object('event_id', f.event_id, 'depth', e.depth, 'state_group_after', e.state_group_after)), '[]')
             FROM room_forward_extremities f JOIN events e ON e.event_id = f.event_id WHERE f.room_id = r.room_id) AS extremities,
          (SELECT coalesce(json_agg(json_build_object('event_id', e.event_id, 'pdu', e.pdu)), '[]')
             FROM current_state c
             JOIN unnest($2::text[], $3::text[], $4::text[]) AS wanted (room_id, type, state_key)
               ON wanted.room_id = c.room_id AND wanted.type = c.type AND wanted.state_key = c.state_key
             JOIN events e ON e.event_id = c.event_id
            WHERE c.room_id = r.room_id) AS auth,
          (SELECT coalesce(json_agg(json_build_array(c.state_key, coalesce((SELECT v.version FROM push_rule_versions v WHERE v.user_id = c.state_key), 0))), '[]')
             FROM current_state c
            WHERE c.room_id = r.room_id AND c.type = 'm.room.member' AND c.membership = 'join') AS joined,
          (SELECT coalesce(json_agg(json_build_object('user_id', wanted.user_id, 'device_id', wanted.device_id, 'txn_id', wanted.txn_id, 'event_id', t.event_id, 'body_hash', t.body_hash)), '[]')
             FROM unnest($5::text[], $6::text[], $7::text[]) AS wanted (user_id, device_id, txn_id)
             CROSS JOIN LATERAL (
               SELECT t.event_id, t.body_hash FROM event_txns t
                WHERE t.user_id = wanted.user_id AND t.device_id = wanted.device_id AND t.txn_id = wanted.txn_id
                LIMIT 1) t) AS earlier_txns
     FROM rooms r WHERE r.room_id = ANY($1::text[])`,
  { keyLookups: true },
);

/**
 * Two round trips for any number of rooms: lock the rooms' rows, then read their forward
 * extremities, the current state events for the given tuples, their joined members, and the client
 * transactions. The read must be its own statement: under READ
 * COMMITTED a statement reads from the snapshot it started with, so a statement that waited for
 * the lock would still see a room from before the other writer, and a retried transaction
 * would not find the first attempt's event.
 */
@Injectable()
export class WriteContextRepository {
  async lockAndRead(
    wanted: ReadonlyArray<{ roomId: string; tuples: readonly StateKeyTuple[] }>,
    txns: readonly TxnRef[],
    em: EntityManager,
  ): Promise<BatchContext> {
    const roomIds = [...new Set(wanted.map((w) => w.roomId))];
    const locked = await queryPrepared<{ room_id: string }>(em, LOCK_ROOMS, [roomIds]);
    if (locked.length === 0) return { rooms: new Map(), earlierTxns: new Map() };
    const triples = wanted.flatMap(({ roomId, tuples }) =>
      tuples.map((tuple) => ({ roomId, ...splitStateKeyTuple(tuple) })),
    );
    const rows = await queryPrepared<ContextRow>(em, READ_CONTEXTS, [
      locked.map((row) => row.room_id),
      triples.map((t) => t.roomId),
      triples.map((t) => t.type),
      triples.map((t) => t.stateKey),
      txns.map((t) => t.userId),
      txns.map((t) => t.deviceId),
      txns.map((t) => t.txnId),
    ]);
    const first = rows[0];
    return {
      rooms: new Map(rows.map((row) => [row.room_id, toContext(row)])),
      earlierTxns: new Map(
        (first?.earlier_txns ?? []).map((t) => [
          txnKey({ userId: t.user_id, deviceId: t.device_id, txnId: t.txn_id }),
          { eventId: t.event_id, bodyHash: t.body_hash },
        ]),
      ),
    };
  }
}

function toContext(row: ContextRow): WriteContext {
  const authState = new Map<StateKeyTuple, RoomEvent>();
  for (const { event_id: eventId, pdu } of row.auth) {
    const event: RoomEvent = { ...pdu, event_id: eventId };
    if (event.state_key !== undefined) authState.set(stateKeyTuple(event.type, event.state_key), event);
  }
  return {
    roomVersion: row.room_version,
    resolvedStateGroup: row.resolved_state_group === null ? null : Number(row.resolved_state_group),
    extremities: row.extremities.map((e) => ({
      eventId: e.event_id,
      depth: Number(e.depth),
      stateGroupAfter: e.state_group_after === null ? null : Number(e.state_group_after),
    })),
    authState,
    joined: new Map(row.joined.map(([userId, version]) => [userId, Number(version)])),
  };
}
