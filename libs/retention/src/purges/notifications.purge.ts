import { LOWER_COUNTS_BY_GONE } from '@hearth/rooms';
import { queryRows } from '@hearth/storage';
import type { Purge } from './purge';
import { queryCount } from './count-deleted';

/** Notifications purged per transaction: while it runs, sends that notify the same members wait. */
const BATCH = 1000;

/**
 * Unread-notification rows of events older than `retention.notifications_days` (by the event's
 * origin_server_ts): unread counts cover that window, as Synapse's do. The rows take their share
 * out of the counts kept beside them (event_push_summary) with them, and a count left at zero
 * goes. A batch at a time: the counts it lowers are locked first, in key order as every writer of
 * them locks them (NotificationCounts), and a send that notifies one of those members waits for
 * the batch's commit while holding the events position counter, so every send waits with it.
 */
export const notificationsPurge: Purge = {
  name: 'notifications',
  batch: BATCH,
  async run(em, now, retention) {
    // Oldest positions first (event_push_actions_position): old events hold the low positions, so
    // each batch reads little beyond what it deletes instead of passing over the young rows again.
    const doomed = await queryRows<{ user_id: string; room_id: string; thread_id: string; stream_ordering: string }>(
      em,
      `SELECT a.user_id, a.room_id, a.thread_id, a.stream_ordering FROM event_push_actions a
         JOIN events e ON e.event_id = a.event_id
        WHERE e.origin_server_ts < $1 ORDER BY a.stream_ordering LIMIT $2`,
      [now - retention.notificationsMs, BATCH],
    );
    if (doomed.length === 0) return 0;
    const keys = [
      doomed.map((row) => row.user_id),
      doomed.map((row) => row.room_id),
      doomed.map((row) => row.thread_id),
      doomed.map((row) => row.stream_ordering),
    ];
    await em.query(
      `SELECT 1 FROM event_push_summary s
        WHERE (s.user_id, s.room_id, s.thread_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        ORDER BY s.user_id, s.room_id, s.thread_id FOR UPDATE`,
      keys.slice(0, 3),
    );
    const purged = await queryCount(
      em,
      `WITH gone AS (DELETE FROM event_push_actions a
                      USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS d (user_id, room_id, thread_id, stream_ordering)
                      WHERE a.user_id = d.user_id AND a.room_id = d.room_id AND a.thread_id = d.thread_id
                        AND a.stream_ordering = d.stream_ordering
                      RETURNING a.user_id, a.room_id, a.thread_id, a.highlight),
            ${LOWER_COUNTS_BY_GONE}
       SELECT count(*)::int AS n FROM gone`,
      keys,
    );
    return purged;
  },
};
