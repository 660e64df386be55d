import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stream positions that commit in order. A sequence hands out positions that may commit out of
 * order (11 before 10), and a reader that moved past 10 would never see it. Taking positions
 * from a counter row instead, in the statement that writes, makes a second writer wait for the
 * first to commit: no position becomes visible before a lower one. One row per stream (room
 * events, receipts, account data), each written only by the lib that owns the stream. Also
 * users' stored sync filters.
 */
export class SyncStreams1763880000000 implements MigrationInterface {
  name = 'SyncStreams1763880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stream_positions (
        stream   TEXT   PRIMARY KEY,
        position BIGINT NOT NULL
      )`);
    await queryRunner.query(`
      INSERT INTO stream_positions (stream, position)
      SELECT 'events', GREATEST((SELECT coalesce(max(stream_ordering), 0) FROM events), (SELECT last_value FROM events_stream_seq))`);
    await queryRunner.query('ALTER TABLE receipts ADD COLUMN stream_id BIGSERIAL');
    await queryRunner.query('CREATE INDEX receipts_stream ON receipts (room_id, stream_id)');
    await queryRunner.query(`
      INSERT INTO stream_positions (stream, position)
      VALUES ('receipts', (SELECT coalesce(max(stream_id), 0) FROM receipts)),
             ('account_data', (SELECT coalesce(max(stream_id), 0) FROM account_data))`);
    await queryRunner.query(`
      CREATE TABLE user_filters (
        user_id   TEXT   NOT NULL,
        filter_id BIGINT NOT NULL,
        filter    JSONB  NOT NULL,
        PRIMARY KEY (user_id, filter_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE user_filters');
    await queryRunner.query('DROP INDEX receipts_stream');
    await queryRunner.query('ALTER TABLE receipts DROP COLUMN stream_id');
    await queryRunner.query(
      `SELECT setval(pg_get_serial_sequence('account_data', 'stream_id'), GREATEST(1, (SELECT position FROM stream_positions WHERE stream = 'account_data')))`,
    );
    await queryRunner.query(
      `SELECT setval('events_stream_seq', GREATEST(1, (SELECT position FROM stream_positions WHERE stream = 'events')))`,
    );
    await queryRunner.query('DROP TABLE stream_positions');
  }
}
