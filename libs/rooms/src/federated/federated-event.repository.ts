import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** What only events from other servers need to read: which we hold, state groups after them, auth chains and DAG walks. */
@Injectable()
export class FederatedEventRepository {
  /** Which of the given events we hold, in any form. */
  async known(eventIds: readonly string[], em: EntityManager): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await queryRows<{ event_id: string }>(
      em,
      'SELECT event_id FROM events WHERE event_id = ANY($1::text[])',
      [eventIds],
    );
    return new Set(rows.map((row) => row.event_id));
  }

  /** The state group after each of the given events (null for outliers). */
  async stateGroupsAfter(eventIds: readonly string[], em: EntityManager): Promise<Map<string, number | null>> {
    const rows = await queryRows<{ event_id: string; state_group_after: string | null }>(
      em,
      'SELECT event_id, state_group_after FROM events WHERE event_id = ANY($1::text[])',
      [eventIds],
    );
    return new Map(
      rows.map((row) => [row.event_id, row.state_group_after === null ? null : Number(row.state_group_after)]),
    );
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

  /** Events of a room at or before the given ones, walking prev_events backwards (for /backfill and /get_missing_events). */
  async walkBack(
    roomId: string,
    from: readonly string[],
    stopAt: readonly string[],
    limit: number,
    em: EntityManager,
  ): Promise<string[]> {
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
