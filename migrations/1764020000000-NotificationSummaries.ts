import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unread notifications folded out of event_push_actions once a member has many in one room and
 * thread (docs/rooms.md, "Notifications"): the summary holds their counts, so unread counts stop
 * growing with the backlog; the folded rows wait in their own table until a receipt covers them,
 * so a receipt that lands inside the folded range still yields exact counts.
 */
export class NotificationSummaries1764020000000 implements MigrationInterface {
  name = 'NotificationSummaries1764020000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_push_summary (
        user_id         TEXT   NOT NULL,
        room_id         TEXT   NOT NULL,
        thread_id       TEXT   NOT NULL,
        notifications   BIGINT NOT NULL,
        highlights      BIGINT NOT NULL,
        PRIMARY KEY (user_id, room_id, thread_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE event_push_actions_folded (
        user_id         TEXT    NOT NULL,
        room_id         TEXT    NOT NULL,
        event_id        TEXT    NOT NULL,
        stream_ordering BIGINT  NOT NULL,
        thread_id       TEXT    NOT NULL,
        highlight       BOOLEAN NOT NULL,
        PRIMARY KEY (user_id, room_id, thread_id, stream_ordering)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'INSERT INTO event_push_actions SELECT * FROM event_push_actions_folded ON CONFLICT DO NOTHING',
    );
    await queryRunner.query('DROP TABLE event_push_actions_folded');
    await queryRunner.query('DROP TABLE event_push_summary');
  }
}
