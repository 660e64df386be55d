import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per user that moves with every change to their push rules, from one sequence, so
 * that any process can tell whether a ruleset it cached is still current (and sync can later
 * tell which users' rules changed since a position).
 */
export class PushRuleVersions1763870000000 implements MigrationInterface {
  name = 'PushRuleVersions1763870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SEQUENCE push_rules_stream_seq');
    await queryRunner.query(`
      CREATE TABLE push_rule_versions (
        user_id TEXT   PRIMARY KEY,
        version BIGINT NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE push_rule_versions');
    await queryRunner.query('DROP SEQUENCE push_rules_stream_seq');
  }
}
