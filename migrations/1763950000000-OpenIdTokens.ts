import type { MigrationInterface, QueryRunner } from 'typeorm';

/** OpenID tokens a user hands to a third party (an integration server) to prove who they are, stored hashed. */
export class OpenIdTokens1763950000000 implements MigrationInterface {
  name = 'OpenIdTokens1763950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE openid_tokens (
        token_hash BYTEA  PRIMARY KEY,
        user_id    TEXT   NOT NULL,
        expires_ts BIGINT NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX openid_tokens_expiry ON openid_tokens (expires_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE openid_tokens');
  }
}
