import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, type RoomEvent, type StateKeyTuple } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

/** Storage that only events from other servers need: outliers, DAG walks, extremities and state after forks. */
@Injectable()
export class FederatedEventRepository {
  /**
   * Events we hold without a place in our timeline (state and auth chains from a join, soft-failed
   * events): no stream position, so no read path shows them as history. Soft-failed events keep
   * their state groups, as later events may build on them. Known events are kept.
   */
  async insertOutliers(
    events: ReadonlyArray<{ event: RoomEvent; pduHasRoomId: boolean; stateGroups?: { before: number; after: number } }>,
    em: EntityManager,
  ): Promise<void> {
    if (events.length === 0) return;
    const list = events.map((e) => e.event);
    await em.query(
      `WITH ev AS (
         INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu, state_group_before, state_group_after)
         SELECT e.event_id, e.room_id, NULL, e.depth, e.type, e.state_key, e.sender, e.ts, e.pdu, e.before, e.after
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::jsonb[], $11::bigint[], $12::bigint[])
                AS e (event_id, room_id, depth, type, state_key, sender, ts, pdu, before, after)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
       INSERT INTO event_auth_edges (event_id, auth_event_id)
       SELECT a.event_id, a.auth_event_id FROM unnest($9::text[], $10::text[]) AS a (event_id, auth_event_id) JOIN ev ON ev.event_id = a.event_id
       ON CONFLICT DO NOTHING`,
      [
        ...eventColumns(events),
        list.flatMap((e) => e.auth_events.map(() => e.event_id)),
        list.flatMap((e) => [...e.auth_events]),
        events.map((e) => e.stateGroups?.before ?? null),
        events.map((e) => e.stateGroups?.after ?? null),
      ],
    );
  }

  /** Which of the given events we hold, in any form. */
  async known(eventIds: readonly string[], em: EntityManager): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await queryRows<{ event_id: string }>(em, 'SELECT event_id FROM events WHERE event_id = ANY($1::text[])', [eventIds]);
    return new Set(rows.map((row) => row.event_id));
  }

  /** The state group after each of the given events (null for outliers). */
  async stateGroupsAfter(eventIds: readonly string[], em: EntityManager): Promise<Map<string, number | null>> {
    const rows = await queryRows<{ event_id: string; state_group_after: string | null }>(
      em,
      'SELECT event_id, state_group_after FROM events WHERE event_id = ANY($1::text[])',
      [eventIds],
    );
    return new Map(rows.map((row) => [row.event_id, row.state_group_after === null ? null : Number(row.state_group_after)]));
  }

  /** The auth chains of the given events: every event reachable through auth_events, the events themselves excluded. */
  async authChainIds(eventIds: readonly string[], em: EntityManager): Promise<string[]> {
    if (eventIds.length === 0) return [];
    const rows = await queryRows<{ id: string }>(
      em,
      `WITH RECURSIVE chain (id) AS (
         SELECT auth_event_id FROM event_auth_edges WHERE event_id = ANY($1::text[])
         UNION
         SELECT a.auth_event_id FROM event_auth_edges a JOIN chain c ON a.event_id = c.id
       )
       SELECT id FROM chain`,
      [eventIds],
    );
    return rows.map((row) => row.id);
  }

  /** After a fork: the extremities that stay beside the new event. */
  async addExtremities(roomId: string, eventIds: readonly string[], em: EntityManager): Promise<void> {
    if (eventIds.length === 0) return;
    await em.query('INSERT INTO room_forward_extremities (room_id, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [roomId, eventIds]);
  }

  async setResolvedStateGroup(roomId: string, group: number | null, em: EntityManager): Promise<void> {
    await em.query('UPDATE rooms SET resolved_state_group = $2 WHERE room_id = $1', [roomId, group]);
  }

  /** Replaces the room's current state with `state` (tuple to event), writing only what differs. */
  async replaceCurrentState(roomId: string, state: ReadonlyMap<StateKeyTuple, RoomEvent>, em: EntityManager): Promise<void> {
    const entries = [...state].map(([tuple, event]) => ({ ...splitStateKeyTuple(tuple), event }));
    await em.query(
      `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS w (type, state_key, event_id, membership)),
       gone AS (DELETE FROM current_state c WHERE c.room_id = $1
                  AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.type = c.type AND w.state_key = c.state_key))
       INSERT INTO current_state (room_id, type, state_key, event_id, membership)
       SELECT $1, type, state_key, event_id, membership FROM wanted
       ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = EXCLUDED.event_id, membership = EXCLUDED.membership
         WHERE current_state.event_id IS DISTINCT FROM EXCLUDED.event_id`,
      [
        roomId,
        entries.map((e) => e.type),
        entries.map((e) => e.stateKey),
        entries.map((e) => e.event.event_id),
        entries.map((e) => (e.event.type === 'm.room.member' && typeof e.event.content.membership === 'string' ? e.event.content.membership : null)),
      ],
    );
  }

  /** Events of a room at or before the given ones, walking prev_events backwards (for /backfill and /get_missing_events). */
  async walkBack(roomId: string, from: readonly string[], stopAt: readonly string[], limit: number, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      em,
      `WITH RECURSIVE walk (id, n) AS (
         SELECT unnest($2::text[]), 0
         UNION
         SELECT e.prev_event_id, w.n + 1 FROM event_edges e JOIN walk w ON e.event_id = w.id
          WHERE w.n < $4 AND NOT (e.prev_event_id = ANY($3::text[]))
       )
       SELECT w.id FROM walk w JOIN events ev ON ev.event_id = w.id AND ev.room_id = $1
        GROUP BY w.id, ev.depth ORDER BY ev.depth DESC, w.id LIMIT $4`,
      [roomId, from, stopAt, limit],
    );
    return rows.map((row) => row.id);
  }
}

/** The event columns of the outliers insert, one array each ($1 to $8). */
function eventColumns(events: ReadonlyArray<{ event: RoomEvent; pduHasRoomId: boolean }>): unknown[][] {
  const list = events.map((e) => e.event);
  return [
    list.map((e) => e.event_id),
    list.map((e) => e.room_id),
    list.map((e) => e.depth),
    list.map((e) => e.type),
    list.map((e) => e.state_key ?? null),
    list.map((e) => e.sender),
    list.map((e) => e.origin_server_ts),
    events.map(({ event, pduHasRoomId }) => {
      const { event_id: _id, room_id: roomId, ...rest } = event;
      return JSON.stringify(pduHasRoomId ? { ...rest, room_id: roomId } : rest);
    }),
  ];
}
