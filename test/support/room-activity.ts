import type { DataSource } from 'typeorm';

/** MSC4186's bumping event types, written out here so that the test does not take them from the code it checks. */
const BUMPING = [
  'm.room.create',
  'm.room.message',
  'm.room.encrypted',
  'm.sticker',
  'm.call.invite',
  'm.poll.start',
  'm.beacon_info',
];

/**
 * Rooms whose room_activity row differs from what their timeline events say (last position, last
 * bumping position), or that lack a row: empty when the pipeline kept the table right.
 */
export async function roomActivityDrift(db: DataSource): Promise<unknown[]> {
  return db.query(
    `SELECT room_id, a.last_position AS kept_last, x.last_position, a.bump_position AS kept_bump, x.bump_position
       FROM room_activity a
       FULL JOIN (SELECT room_id, max(stream_ordering) AS last_position,
                         max(stream_ordering) FILTER (WHERE type = ANY($1)) AS bump_position
                    FROM events WHERE stream_ordering > 0 GROUP BY room_id) x USING (room_id)
      WHERE a.last_position IS DISTINCT FROM x.last_position OR a.bump_position IS DISTINCT FROM x.bump_position`,
    [BUMPING],
  );
}

/** Current state entries whose kept stream position is not their event's: empty when the pipeline kept it right. */
export async function currentStatePositionDrift(db: DataSource): Promise<unknown[]> {
  return db.query(
    `SELECT c.room_id, c.type, c.state_key, c.stream_ordering AS kept, e.stream_ordering
       FROM current_state c JOIN events e ON e.event_id = c.event_id
      WHERE c.stream_ordering IS DISTINCT FROM e.stream_ordering`,
  );
}
