import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `timestamp_to_event` (CS and SS API) looks for the timeline event of a room closest to a time,
 * before or after it; without this index that is a scan of the room's whole history. Outliers
 * (no stream position) are not in the timeline and not indexed.
 */
export class EventsByTimestamp1764070100000 implements MigrationInterface {
  name = 'EventsByTimestamp1764070100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX events_room_origin_ts ON events (room_id, origin_server_ts, stream_ordering) WHERE stream_ordering IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_room_origin_ts');
  }
}
