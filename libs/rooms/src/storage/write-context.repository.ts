import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type RoomEvent, type StateKeyTuple } from '@hearth/protocol';
import { preparedStatement, queryPrepared } from '@hearth/storage';
import type { ClientTxn } from './event.repository';

/** Everything the writer needs before building an event, read under the room's write lock. */
export interface WriteContext {
  readonly roomVersion: string;
  readonly extremities: ReadonlyArray<{ eventId: string; depth: number; stateGroupAfter: number | null }>;
  readonly authState: Map<StateKeyTuple, RoomEvent>;
  /** Users whose current membership is join, with the version of their push rules. */
  readonly joined: ReadonlyMap<string, number>;
  /** The event an earlier request with the same client transaction produced, if any. */
  readonly earlierTxn?: { readonly eventId: string; readonly bodyHash: string };
}

interface ContextRow {
  room_version: string;
  extremities: Array<{ event_id: string; depth: number; state_group_after: number | null }>;
  auth: Array<{ event_id: string; pdu: Omit<RoomEvent, 'event_id'> }>;
  joined: Array<[string, number]>;
  earlier_txn: { event_id: string; body_hash: string } | null;
}

const LOCK_ROOM = preparedStatement('lock_room', 'SELECT room_id FROM rooms WHERE room_id = $1 FOR UPDATE');

const READ_CONTEXT = preparedStatement(
  'write_context',
  `SELECT r.room_version,
          (SELECT coalesce(json_agg(json_build_object('event_id', f.event_id, 'depth', e.depth, 'state_group_after', e.state_group_after)), '[]')
             FROM room_forward_extremities f JOIN events e ON e.event_id = f.event_id WHERE f.room_id = r.room_id) AS extremities,
          (SELECT coalesce(json_agg(json_build_object('event_id', e.event_id, 'pdu', e.pdu)), '[]')
             FROM current_state c
             JOIN unnest($2::text[], $3::text[]) AS wanted (type, state_key) ON wanted.type = c.type AND wanted.state_key = c.state_key
             JOIN events e ON e.event_id = c.event_id
            WHERE c.room_id = r.room_id) AS auth,
          (SELECT coalesce(json_agg(json_build_array(c.state_key, coalesce(v.version, 0))), '[]')
             FROM current_state c LEFT JOIN push_rule_versions v ON v.user_id = c.state_key
            WHERE c.room_id = r.room_id AND c.type = 'm.room.member' AND c.membership = 'join') AS joined,
          (SELECT json_build_object('event_id', t.event_id, 'body_hash', t.body_hash)
             FROM event_txns t WHERE t.user_id = $4 AND t.device_id = $5 AND t.txn_id = $6) AS earlier_txn
     FROM rooms r WHERE r.room_id = $1`,
);

/**
 * Two round trips: lock the room row, then read its forward extremities, the current state
 * events for the given tuples, its joined members and the client transaction, if any. The read
 * must be its own statement: under READ COMMITTED a statement reads from the snapshot it
 * started with, so a statement that waited for the lock would still see the room from before
 * the other writer, and a retried transaction would not find the first attempt's event.
 */
@Injectable()
export class WriteContextRepository {
  async lockAndRead(roomId: string, tuples: readonly StateKeyTuple[], em: EntityManager, txn?: Omit<ClientTxn, 'bodyHash'>): Promise<WriteContext | undefined> {
    const locked = await queryPrepared<{ room_id: string }>(em, LOCK_ROOM, [roomId]);
    if (locked.length === 0) return undefined;
    const split = tuples.map(splitStateKeyTuple);
    const [row] = await queryPrepared<ContextRow>(em, READ_CONTEXT, [
      roomId,
      split.map((t) => t.type),
      split.map((t) => t.stateKey),
      txn?.userId ?? null,
      txn?.deviceId ?? null,
      txn?.txnId ?? null,
    ]);
    if (!row) return undefined;
    const authState = new Map<StateKeyTuple, RoomEvent>();
    for (const { event_id: eventId, pdu } of row.auth) {
      const event: RoomEvent = { ...pdu, event_id: eventId };
      if (event.state_key !== undefined) authState.set(stateKeyTuple(event.type, event.state_key), event);
    }
    return {
      roomVersion: row.room_version,
      extremities: row.extremities.map((e) => ({ eventId: e.event_id, depth: Number(e.depth), stateGroupAfter: e.state_group_after === null ? null : Number(e.state_group_after) })),
      authState,
      joined: new Map(row.joined.map(([userId, version]) => [userId, Number(version)])),
      ...(row.earlier_txn ? { earlierTxn: { eventId: row.earlier_txn.event_id, bodyHash: row.earlier_txn.body_hash } } : {}),
    };
  }
}
