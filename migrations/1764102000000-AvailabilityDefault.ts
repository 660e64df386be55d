import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The organisation's default work schedule and what users may change of it (issue 21, item 6):
 * one row, set by an admin. Users' own schedules stay account data.
 */
export class AvailabilityDefault1764102000000 implements MigrationInterface {
  name = 'AvailabilityDefault1764102000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE availability_default (
        id         SMALLINT PRIMARY KEY CHECK (id = 1),
        schedule   JSONB    NOT NULL,
        users_may  JSONB    NOT NULL,
        updated_ts BIGINT   NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE availability_default');
  }
}
