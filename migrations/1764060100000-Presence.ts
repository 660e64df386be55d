import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presence, when the operator turns it on: one row per user (ours, and other servers' users seen
 * in m.presence EDUs), rewritten in place, so no history of when someone was online is kept.
 * `stream_id` comes from the `presence` counter row (see SyncStreams) so /sync reads changes in
 * commit order; `last_sync_ts` (our users only) tells the sweep who stopped syncing.
 */
export class Presence1764060100000 implements MigrationInterface {
  name = 'Presence1764060100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE presence (
        user_id          TEXT    PRIMARY KEY,
        state            TEXT    NOT NULL,
        status_msg       TEXT,
        last_active_ts   BIGINT  NOT NULL,
        currently_active BOOLEAN NOT NULL DEFAULT FALSE,
        last_sync_ts     BIGINT,
        stream_id        BIGINT  NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX presence_stream ON presence (stream_id)');
    await queryRunner.query(`INSERT INTO stream_positions (stream, position) VALUES ('presence', 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM stream_positions WHERE stream = 'presence'`);
    await queryRunner.query('DROP TABLE presence');
  }
}
