import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the retention purge replaced an event's stored PDU with its redacted form (a redacted
 * event's original content after retention.redacted_content_days, or any event past its room's
 * m.room.retention lifetime). The DAG keeps the event; its content is gone from this server.
 * The partial indexes find what is left to purge without reading purged or state events.
 */
export class EventContentPurge1764080100000 implements MigrationInterface {
  name = 'EventContentPurge1764080100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN content_purged_ts BIGINT');
    await queryRunner.query(
      'CREATE INDEX events_redacted_unpurged ON events (redacted_by) WHERE redacted_by IS NOT NULL AND content_purged_ts IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX events_message_unpurged ON events (room_id, origin_server_ts) WHERE state_key IS NULL AND content_purged_ts IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_message_unpurged');
    await queryRunner.query('DROP INDEX events_redacted_unpurged');
    await queryRunner.query('ALTER TABLE events DROP COLUMN content_purged_ts');
  }
}
