import type { Purge } from './purge';
import { queryCount } from './count-deleted';

/**
 * Unread-notification rows of events older than `retention.notifications_days` (by the event's
 * origin_server_ts): unread counts cover that window, as Synapse's do. The rows take their share
 * out of the counts kept beside them (event_push_summary) with them, and a count left at zero goes.
 * The counts are locked first, in key order, as every writer of them locks them (NotificationCounts).
 */
export const notificationsPurge: Purge = {
  name: 'notifications',
  async run(em, now, retention) {
    const cutoff = now - retention.notificationsMs;
    await em.query(
      `SELECT 1 FROM event_push_summary s
        WHERE EXISTS (SELECT 1 FROM event_push_actions a JOIN events e ON e.event_id = a.event_id
                       WHERE a.user_id = s.user_id AND a.room_id = s.room_id AND a.thread_id = s.thread_id
                         AND e.origin_server_ts < $1)
        ORDER BY s.user_id, s.room_id, s.thread_id FOR UPDATE OF s`,
      [cutoff],
    );
    const purged = await queryCount(
      em,
      `WITH gone AS (DELETE FROM event_push_actions a USING events e
                      WHERE e.event_id = a.event_id AND e.origin_server_ts < $1
                      RETURNING a.user_id, a.room_id, a.thread_id, a.highlight),
            counted AS (SELECT user_id, room_id, thread_id, count(*) AS n, count(*) FILTER (WHERE highlight) AS h
                          FROM gone GROUP BY user_id, room_id, thread_id),
            lowered AS (UPDATE event_push_summary s
                           SET notifications = s.notifications - c.n, highlights = s.highlights - c.h
                          FROM counted c
                         WHERE s.user_id = c.user_id AND s.room_id = c.room_id AND s.thread_id = c.thread_id
                        RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff],
    );
    await em.query('DELETE FROM event_push_summary WHERE notifications <= 0 AND highlights <= 0');
    return purged;
  },
};
