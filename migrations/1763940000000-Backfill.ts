import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History fetched from other servers after joining goes before everything we hold: its events
 * take negative, decreasing positions from this counter row, so that paginating backwards from
 * our first event reaches them.
 */
export class Backfill1763940000000 implements MigrationInterface {
  name = 'Backfill1763940000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("INSERT INTO stream_positions (stream, position) VALUES ('backfill', 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM stream_positions WHERE stream = 'backfill'");
  }
}
