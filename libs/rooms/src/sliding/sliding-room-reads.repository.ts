import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** Which current state entries to read: each part widens the selection. */
export interface StateSelector {
  /** Every entry that is not a member event. */
  readonly allButMembers?: boolean;
  /** Every member event. */
  readonly allMembers?: boolean;
  /** Every entry of these types. */
  readonly types?: readonly string[];
  /** Every entry with one of these state keys, whatever its type. */
  readonly stateKeys?: readonly string[];
  /** These exact entries. */
  readonly pairs?: ReadonlyArray<readonly [type: string, stateKey: string]>;
}

export interface CurrentStateRow {
  readonly roomId: string;
  readonly type: string;
  readonly stateKey: string;
  readonly eventId: string;
  /** Stream position of the state event. */
  readonly position: number;
  /** The event's content; `{}` when it was redacted. */
  readonly content: Record<string, unknown>;
}

/** A room's row of room_activity: its last timeline position, and its last of a type that bumps it (if any). */
export interface RoomActivityRow {
  readonly last: number;
  readonly bump: number | null;
}

/** The reads sliding sync makes of rooms' tables, each one statement for many rooms. */
@Injectable()
export class SlidingRoomReadsRepository {
  /** room_activity's rows for these rooms (one index read per room, whatever the rooms' sizes). */
  async activity(roomIds: readonly string[], em: EntityManager): Promise<Map<string, RoomActivityRow>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{ room_id: string; last_position: string; bump_position: string | null }>(
      em,
      'SELECT room_id, last_position, bump_position FROM room_activity WHERE room_id = ANY($1)',
      [roomIds],
    );
    return new Map(
      rows.map((row) => [
        row.room_id,
        { last: Number(row.last_position), bump: row.bump_position === null ? null : Number(row.bump_position) },
      ]),
    );
  }

  /** Per room, the position of its last event at or before `upTo` (of one of `types`, when given). */
  async lastPositions(
    roomIds: readonly string[],
    upTo: number,
    types: readonly string[] | null,
    em: EntityManager,
  ): Promise<Map<string, number>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{ room_id: string; stream_ordering: string }>(
      em,
      `SELECT w.room_id, last.stream_ordering FROM unnest($1::text[]) AS w (room_id)
       CROSS JOIN LATERAL (
         SELECT stream_ordering FROM events
          WHERE room_id = w.room_id AND stream_ordering <= $2 AND ($3::text[] IS NULL OR type = ANY($3))
          ORDER BY stream_ordering DESC LIMIT 1) last`,
      [roomIds, upTo, types],
    );
    return new Map(rows.map((row) => [row.room_id, Number(row.stream_ordering)]));
  }

  /** Per room, how many events lie in (after, upTo], counting at most `cap`. */
  async countsBetween(
    roomIds: readonly string[],
    after: number,
    upTo: number,
    cap: number,
    em: EntityManager,
  ): Promise<Map<string, number>> {
    if (roomIds.length === 0 || cap === 0) return new Map();
    const rows = await queryRows<{ room_id: string; count: string }>(
      em,
      `SELECT w.room_id, count(*) AS count FROM unnest($1::text[]) AS w (room_id)
       CROSS JOIN LATERAL (
         SELECT 1 FROM events WHERE room_id = w.room_id AND stream_ordering > $2 AND stream_ordering <= $3
          ORDER BY stream_ordering DESC LIMIT $4) recent
       GROUP BY w.room_id`,
      [roomIds, after, upTo, cap],
    );
    return new Map(rows.map((row) => [row.room_id, Number(row.count)]));
  }

  /** Current state entries of many rooms that the selector picks. */
  async currentState(
    roomIds: readonly string[],
    selector: StateSelector,
    em: EntityManager,
  ): Promise<CurrentStateRow[]> {
    if (roomIds.length === 0) return [];
    const pairs = selector.pairs ?? [];
    const rows = await queryRows<{
      room_id: string;
      type: string;
      state_key: string;
      event_id: string;
      stream_ordering: string;
      content: Record<string, unknown> | null;
    }>(
      em,
      // Member events apart, by index: a room of 10,000 members reads the few it needs, not all.
      `WITH picked AS (
         SELECT c.room_id, c.type, c.state_key, c.event_id FROM current_state c
          WHERE c.room_id = ANY($1) AND (c.type < 'm.room.member' OR c.type > 'm.room.member')
            AND ($2 OR c.type = ANY($4) OR c.state_key = ANY($5)
                 OR (c.type, c.state_key) IN (SELECT * FROM unnest($6::text[], $7::text[])))
         UNION ALL
         SELECT c.room_id, c.type, c.state_key, c.event_id FROM current_state c
          WHERE $3 AND c.room_id = ANY($1) AND c.type = 'm.room.member'
         UNION ALL
         SELECT c.room_id, c.type, c.state_key, c.event_id
           FROM unnest($1::text[]) AS r (room_id)
           CROSS JOIN (SELECT DISTINCT k FROM (SELECT unnest($5::text[]) AS k
                        UNION ALL SELECT k FROM unnest($6::text[], $7::text[]) AS p (t, k) WHERE t = 'm.room.member') keys
                      ) wanted
           JOIN current_state c ON c.room_id = r.room_id AND c.type = 'm.room.member' AND c.state_key = wanted.k
          WHERE NOT $3)
       SELECT c.room_id, c.type, c.state_key, c.event_id, e.stream_ordering,
              CASE WHEN e.redacted_by IS NULL THEN e.pdu -> 'content' END AS content
         FROM picked c JOIN events e ON e.event_id = c.event_id`,
      [
        roomIds,
        selector.allButMembers === true,
        selector.allMembers === true,
        selector.types ?? [],
        selector.stateKeys ?? [],
        pairs.map(([type]) => type),
        pairs.map(([, stateKey]) => stateKey),
      ],
    );
    return rows.map((row) => ({
      roomId: row.room_id,
      type: row.type,
      stateKey: row.state_key,
      eventId: row.event_id,
      position: Number(row.stream_ordering),
      content: row.content ?? {},
    }));
  }
}
