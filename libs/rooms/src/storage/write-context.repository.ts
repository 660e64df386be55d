import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type RoomEvent, type StateKeyTuple } from '@hearth/protocol';
import { queryRows } from './sql';

/** Everything the writer needs before building an event, read under the room's write lock. */
export interface WriteContext {
  readonly roomVersion: string;
  readonly extremities: ReadonlyArray<{ eventId: string; depth: number; stateGroupAfter: number | null }>;
  readonly authState: Map<StateKeyTuple, RoomEvent>;
  /** Users whose current membership is join (push evaluation needs them). */
  readonly joined: readonly string[];
}

interface ContextRow {
  room_version: string;
  extremities: Array<{ event_id: string; depth: number; state_group_after: number | null }>;
  auth: Array<{ event_id: string; pdu: Omit<RoomEvent, 'event_id'> }>;
  joined: string[];
}

/**
 * Two round trips instead of four: lock the room row, then read its forward extremities, the
 * current state events for the given tuples, and its joined members. The read must be its own
 * statement: under READ COMMITTED a statement reads from the snapshot it started with, so a
 * statement that waited for the lock would still see the state from before the other writer.
 */
@Injectable()
export class WriteContextRepository {
  async lockAndRead(roomId: string, tuples: readonly StateKeyTuple[], em: EntityManager): Promise<WriteContext | undefined> {
    const locked = await queryRows<{ room_id: string }>(em, 'SELECT room_id FROM rooms WHERE room_id = $1 FOR UPDATE', [roomId]);
    if (locked.length === 0) return undefined;
    const split = tuples.map(splitStateKeyTuple);
    const [row] = await queryRows<ContextRow>(
      em,
      `SELECT r.room_version,
              (SELECT coalesce(json_agg(json_build_object('event_id', f.event_id, 'depth', e.depth, 'state_group_after', e.state_group_after)), '[]')
                 FROM room_forward_extremities f JOIN events e ON e.event_id = f.event_id WHERE f.room_id = r.room_id) AS extremities,
              (SELECT coalesce(json_agg(json_build_object('event_id', e.event_id, 'pdu', e.pdu)), '[]')
                 FROM current_state c
                 JOIN unnest($2::text[], $3::text[]) AS wanted (type, state_key) ON wanted.type = c.type AND wanted.state_key = c.state_key
                 JOIN events e ON e.event_id = c.event_id
                WHERE c.room_id = r.room_id) AS auth,
              (SELECT coalesce(json_agg(c.state_key), '[]') FROM current_state c
                WHERE c.room_id = r.room_id AND c.type = 'm.room.member' AND c.membership = 'join') AS joined
         FROM rooms r WHERE r.room_id = $1`,
      [roomId, split.map((t) => t.type), split.map((t) => t.stateKey)],
    );
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
      joined: row.joined,
    };
  }
}
