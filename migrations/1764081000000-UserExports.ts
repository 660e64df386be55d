import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Self-service export (issue 21, item 4): one row per archive a user asked for. The partial
 * unique index is what makes "one archive at a time" hold across processes: a second request
 * while one is pending or running fails on it instead of racing past a read.
 */
export class UserExports1764081000000 implements MigrationInterface {
  name = 'UserExports1764081000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_exports (
        export_id    TEXT    PRIMARY KEY,
        user_id      TEXT    NOT NULL,
        state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'ready', 'failed')),
        rooms_done   INTEGER NOT NULL DEFAULT 0,
        rooms_total  INTEGER NOT NULL DEFAULT 0,
        size_bytes   BIGINT,
        created_ts   BIGINT  NOT NULL,
        finished_ts  BIGINT,
        expires_ts   BIGINT
      )`);
    await queryRunner.query('CREATE INDEX user_exports_user ON user_exports (user_id, created_ts)');
    await queryRunner.query(
      `CREATE UNIQUE INDEX user_exports_one_at_a_time ON user_exports (user_id) WHERE state IN ('pending', 'running')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE user_exports');
  }
}
