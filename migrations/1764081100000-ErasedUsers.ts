import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure (issue 21, item 5): users deactivated with `erase: true`. Their events stay in the
 * room graph (others' events point at them), but are served redacted to anyone who was not
 * joined when they were sent and to every other server, as Synapse's `erased_users` does.
 */
export class ErasedUsers1764081100000 implements MigrationInterface {
  name = 'ErasedUsers1764081100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE erased_users (
        user_id   TEXT   PRIMARY KEY,
        erased_ts BIGINT NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE erased_users');
  }
}
