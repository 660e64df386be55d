import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per room, the stream position of its last timeline event and of its last event of a type that
 * bumps it in a room list (MSC4186 `bump_stamp`), kept by the event pipeline's write statement,
 * so that sliding sync orders a user's thousand rooms by one index read instead of one events
 * lookup per room (issue 19, item 3). Filled here from the events already held. Also each current
 * state entry's stream position (a user's memberships then need no events lookups), and an index
 * of pending invites per room, so that a room summary counts and picks invited members without
 * reading every member of a big room.
 */
export class RoomActivity1764103000000 implements MigrationInterface {
  name = 'RoomActivity1764103000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE room_activity (
        room_id       TEXT   PRIMARY KEY REFERENCES rooms (room_id),
        last_position BIGINT NOT NULL,
        bump_position BIGINT
      )`);
    // The bump types are BUMP_TYPES of libs/rooms/src/pipeline/bump-types.ts, as they were when this ran.
    await queryRunner.query(`
      INSERT INTO room_activity (room_id, last_position, bump_position)
      SELECT room_id, max(stream_ordering),
             max(stream_ordering) FILTER (WHERE type IN ('m.room.create', 'm.room.message', 'm.room.encrypted',
               'm.sticker', 'm.call.invite', 'm.poll.start', 'm.beacon_info'))
        FROM events WHERE stream_ordering > 0 GROUP BY room_id`);
    // Each current state entry's stream position, so that a user's memberships are read without
    // one events lookup per room; null for an event held without a timeline place (an outlier).
    await queryRunner.query('ALTER TABLE current_state ADD COLUMN stream_ordering BIGINT');
    await queryRunner.query(
      'UPDATE current_state c SET stream_ordering = e.stream_ordering FROM events e WHERE e.event_id = c.event_id',
    );
    await queryRunner.query(
      `CREATE INDEX current_state_invited ON current_state (room_id, state_key) WHERE type = 'm.room.member' AND membership = 'invite'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX current_state_invited');
    await queryRunner.query('ALTER TABLE current_state DROP COLUMN stream_ordering');
    await queryRunner.query('DROP TABLE room_activity');
  }
}
