import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Other servers' signing keys, as fetched from them or through a notary: the public keys with
 * their validity, and each server's latest self-signed key document, which we serve as a notary.
 */
export class ServerKeys1763920000000 implements MigrationInterface {
  name = 'ServerKeys1763920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE server_keys (
        server_name    TEXT   NOT NULL,
        key_id         TEXT   NOT NULL,
        public_key     TEXT   NOT NULL,
        valid_until_ts BIGINT NOT NULL,
        expired_ts     BIGINT,
        fetched_ts     BIGINT NOT NULL,
        PRIMARY KEY (server_name, key_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE server_key_documents (
        server_name    TEXT   PRIMARY KEY,
        document       JSONB  NOT NULL,
        valid_until_ts BIGINT NOT NULL,
        fetched_ts     BIGINT NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE server_key_documents');
    await queryRunner.query('DROP TABLE server_keys');
  }
}
