import type { Purge } from './purge';
import { replaceWithRedactedCopies } from './redacted-copies';

/** PostgreSQL's bigint ceiling: "no upper limit" in the clamp below. */
const NO_LIMIT = '9223372036854775807';

/**
 * MSC1763 message retention. A room's lifetime is its m.room.retention `max_lifetime` (ms), or
 * else the operator's `retention.message_default_days`, or else `message_max_days`; clamped into
 * [message_min_days, message_max_days]. A room with none of them keeps its events. Events older
 * than the lifetime (by origin_server_ts) are purged to redacted copies, which the DAG needs for
 * backfill and state resolution; state events are kept whole, since the room's state needs them
 * (as Synapse, which never purges state either).
 */
export const messageRetentionPurge: Purge = {
  name: 'message-retention',
  run(em, now, retention) {
    const { defaultLifetimeMs, minLifetimeMs, maxLifetimeMs } = retention.messages;
    return replaceWithRedactedCopies(
      em,
      `WITH policy AS (
         SELECT r.room_id, r.room_version,
                (SELECT (p.pdu->'content'->>'max_lifetime')::numeric
                   FROM current_state c JOIN events p ON p.event_id = c.event_id
                  WHERE c.room_id = r.room_id AND c.type = 'm.room.retention' AND c.state_key = ''
                    AND jsonb_typeof(p.pdu->'content'->'max_lifetime') = 'number') AS room_max
           FROM rooms r),
       lifetime AS (
         SELECT room_id, room_version,
                LEAST(GREATEST(COALESCE(room_max, $3::numeric, $5::numeric), $4::numeric), COALESCE($5::numeric, ${NO_LIMIT})) AS ms
           FROM policy WHERE COALESCE(room_max, $3::numeric, $5::numeric) IS NOT NULL)
       SELECT e.event_id, e.pdu, l.room_version FROM lifetime l
         JOIN events e ON e.room_id = l.room_id
        WHERE e.state_key IS NULL AND e.content_purged_ts IS NULL AND e.origin_server_ts < $2 - l.ms
        LIMIT $1`,
      [now, defaultLifetimeMs ?? null, minLifetimeMs, maxLifetimeMs ?? null],
      now,
    );
  },
};
