import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedStatement, queryPrepared, queryPreparedAndCommit } from '@hearth/storage';
import { StatementParameters as P } from './named-columns';
import {
  ACTIVITY_COLUMNS,
  AUTH_EDGE_COLUMNS,
  CURRENT_STATE_COLUMNS,
  EVENT_COLUMNS,
  EXTREMITY_COLUMNS,
  NOTIFICATION_COLUMNS,
  PREV_EDGE_COLUMNS,
  REDACTION_COLUMNS,
  RELATION_COLUMNS,
  RESOLVED_STATE_COLUMNS,
  STATE_FILL_COLUMNS,
  TXN_COLUMNS,
  type WritePlan,
} from './write-plan';

const p = new P<WritePlan>();
const timeline = p.value('int', (plan) => plan.timelineCount);
const backfill = p.value('int', (plan) => plan.backfillCount);
const extremityRooms = p.value('text[]', (plan) => [...new Set(plan.extremities.map((row) => row.room_id))]);
const replacedStateRooms = p.value('text[]', (plan) => plan.replacedStateRooms);

/**
 * The one statement that stores events, of every kind, with everything they change. Timeline
 * positions come from the `stream_positions` counter row, taken here: a second writer waits until
 * the first commits, so positions become visible in order (see the SyncStreams migration); an
 * outlier-only write does not touch it. Events we hold already are kept as they are (edges and
 * all); `stateFills` gives state to those held without.
 *
 * `placed` names the timeline events this statement inserts, with their positions. Every part
 * reads the statement's snapshot, where those events are not in `events` yet: current state takes
 * an entry's position from `placed`, else from `events`; room_activity (a room's last and last
 * bumping positions, for room lists) moves to the greatest of what it had and what `placed` brings.
 * Each notification stored adds to its member's unread count (event_push_summary), taken in key
 * order as every writer of those counts takes them, so that no two can deadlock.
 */
const WRITE_EVENTS = preparedStatement(
  'pipeline_write',
  `WITH counter AS (UPDATE stream_positions SET position = position + ${timeline} WHERE stream = 'events' AND ${timeline} > 0 RETURNING position - ${timeline} AS base),
   backfill AS (UPDATE stream_positions SET position = position - ${backfill} WHERE stream = 'backfill' AND ${backfill} > 0 RETURNING position + ${backfill} AS base),
   ev AS (
     INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu, state_group_before, state_group_after)
     SELECT e.event_id, e.room_id,
            CASE WHEN e.stream_offset > 0 THEN (SELECT base FROM counter) + e.stream_offset WHEN e.stream_offset < 0 THEN (SELECT base FROM backfill) + e.stream_offset END,
            e.depth, e.type, e.state_key, e.sender, e.origin_server_ts, e.pdu, e.state_group_before, e.state_group_after
       FROM ${p.rows('e', EVENT_COLUMNS, (plan) => plan.events)}
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id),
   prev AS (INSERT INTO event_edges (${P.columnList(PREV_EDGE_COLUMNS)})
            SELECT ${P.columnList(PREV_EDGE_COLUMNS, 'x.')} FROM ${p.rows('x', PREV_EDGE_COLUMNS, (plan) => plan.prevEdges)} JOIN ev ON ev.event_id = x.event_id),
   auth AS (INSERT INTO event_auth_edges (${P.columnList(AUTH_EDGE_COLUMNS)})
            SELECT ${P.columnList(AUTH_EDGE_COLUMNS, 'x.')} FROM ${p.rows('x', AUTH_EDGE_COLUMNS, (plan) => plan.authEdges)} JOIN ev ON ev.event_id = x.event_id),
   filled AS (UPDATE events SET state_group_before = f.state_group_before, state_group_after = f.state_group_after
                FROM ${p.rows('f', STATE_FILL_COLUMNS, (plan) => plan.stateFills)}
               WHERE events.event_id = f.event_id AND events.state_group_after IS NULL),
   txn AS (INSERT INTO event_txns (${P.columnList(TXN_COLUMNS)}, created_ts)
           SELECT ${P.columnList(TXN_COLUMNS, 't.')}, ${p.value('bigint', (plan) => plan.now)} FROM ${p.rows('t', TXN_COLUMNS, (plan) => plan.txns)}),
   leaves AS (SELECT * FROM ${p.rows('l', EXTREMITY_COLUMNS, (plan) => plan.extremities)}),
   gone AS (DELETE FROM room_forward_extremities f WHERE f.room_id = ANY(${extremityRooms})
              AND NOT EXISTS (SELECT 1 FROM leaves l WHERE l.room_id = f.room_id AND l.event_id = f.event_id)),
   extremity AS (INSERT INTO room_forward_extremities (${P.columnList(EXTREMITY_COLUMNS)}) SELECT * FROM leaves ON CONFLICT DO NOTHING),
   placed AS (SELECT a.event_id, a.room_id, counter.base + a.stream_offset AS position, a.bumps
                FROM counter, ${p.rows('a', ACTIVITY_COLUMNS, (plan) => plan.activity)} JOIN ev ON ev.event_id = a.event_id),
   wanted AS (SELECT * FROM ${p.rows('s', CURRENT_STATE_COLUMNS, (plan) => plan.currentState)}),
   stale AS (DELETE FROM current_state c WHERE c.room_id = ANY(${replacedStateRooms})
               AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.room_id = c.room_id AND w.type = c.type AND w.state_key = c.state_key)),
   state AS (INSERT INTO current_state (${P.columnList(CURRENT_STATE_COLUMNS)}, stream_ordering)
             SELECT w.*, COALESCE((SELECT x.position FROM placed x WHERE x.event_id = w.event_id),
                                  (SELECT e.stream_ordering FROM events e WHERE e.event_id = w.event_id))
               FROM wanted w
             ON CONFLICT (room_id, type, state_key) DO UPDATE
               SET event_id = EXCLUDED.event_id, membership = EXCLUDED.membership, stream_ordering = EXCLUDED.stream_ordering
               WHERE current_state.event_id IS DISTINCT FROM EXCLUDED.event_id),
   resolved AS (UPDATE rooms SET resolved_state_group = r.resolved_state_group
                  FROM ${p.rows('r', RESOLVED_STATE_COLUMNS, (plan) => plan.resolvedState)} WHERE rooms.room_id = r.room_id),
   relation AS (INSERT INTO event_relations (event_id, room_id, relates_to_id, rel_type, type, stream_ordering)
                SELECT r.event_id, r.room_id, r.relates_to_id, r.rel_type, r.type, counter.base + r.stream_offset
                  FROM counter, ${p.rows('r', RELATION_COLUMNS, (plan) => plan.relations)}
                ON CONFLICT DO NOTHING),
   redacted AS (UPDATE events SET redacted_by = r.event_id FROM ${p.rows('r', REDACTION_COLUMNS, (plan) => plan.redactions)}
                 WHERE events.event_id = r.redacts AND events.redacted_by IS NULL),
   notified AS (INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
                SELECT a.user_id, a.room_id, a.event_id, counter.base + a.stream_offset, a.thread_id, a.highlight
                  FROM counter, ${p.rows('a', NOTIFICATION_COLUMNS, (plan) => plan.notifications)}
                RETURNING user_id, room_id, thread_id, highlight),
   counted AS (INSERT INTO event_push_summary (user_id, room_id, thread_id, notifications, highlights)
               SELECT user_id, room_id, thread_id, count(*), count(*) FILTER (WHERE highlight) FROM notified
                GROUP BY user_id, room_id, thread_id ORDER BY user_id, room_id, thread_id
               ON CONFLICT (user_id, room_id, thread_id) DO UPDATE
                 SET notifications = event_push_summary.notifications + EXCLUDED.notifications,
                     highlights = event_push_summary.highlights + EXCLUDED.highlights),
   activity AS (INSERT INTO room_activity (room_id, last_position, bump_position)
                SELECT room_id, max(position), max(position) FILTER (WHERE bumps) FROM placed GROUP BY room_id
                ON CONFLICT (room_id) DO UPDATE
                  SET last_position = GREATEST(room_activity.last_position, EXCLUDED.last_position),
                      bump_position = GREATEST(room_activity.bump_position, EXCLUDED.bump_position))
   SELECT (SELECT base FROM counter) AS base`,
  { keyLookups: true },
);

/** The only writer of events, their edges, current state, forward extremities and resolved state: see EventPipeline. */
@Injectable()
export class EventStoreRepository {
  /**
   * Stores a plan in one statement; returns the base of its timeline positions (the n-th
   * timeline event is at base + n), or null when it took none. With `andCommit`, the statement
   * ends the transaction, its COMMIT sent as soon as it answers (queryPreparedAndCommit), so it holds the
   * position counter for little more than its execution and the WAL flush.
   */
  async write(plan: WritePlan, em: EntityManager, { andCommit = false } = {}): Promise<number | null> {
    const query = andCommit ? queryPreparedAndCommit : queryPrepared;
    const [row] = await query<{ base: string | null }>(em, WRITE_EVENTS, p.valuesOf(plan));
    return row?.base === null || row?.base === undefined ? null : Number(row.base);
  }
}
