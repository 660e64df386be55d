import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The "back at" notices an off-duty account sent (issue 21, item 6): one per sender per off
 * period, the period named by when it ends. Rows go once the period is over.
 */
export class AvailabilityNotices1764102100000 implements MigrationInterface {
  name = 'AvailabilityNotices1764102100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE availability_notices (
        user_id TEXT   NOT NULL,
        sender  TEXT   NOT NULL,
        back_ts BIGINT NOT NULL,
        PRIMARY KEY (user_id, sender, back_ts)
      )`);
    await queryRunner.query('CREATE INDEX availability_notices_back ON availability_notices (back_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE availability_notices');
  }
}
