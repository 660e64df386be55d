import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-signing (spec CS API "Cross-signing"): each user's master, self-signing and user-signing
 * keys, and the signatures users make over keys (their devices by their self-signing key, their
 * master key by their devices, other users' master keys by their user-signing key).
 */
export class CrossSigning1763960000000 implements MigrationInterface {
  name = 'CrossSigning1763960000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cross_signing_keys (
        user_id TEXT  NOT NULL,
        usage   TEXT  NOT NULL CHECK (usage IN ('master', 'self_signing', 'user_signing')),
        key_id  TEXT  NOT NULL,
        key     JSONB NOT NULL,
        PRIMARY KEY (user_id, usage)
      )`);
    await queryRunner.query(`
      CREATE TABLE key_signatures (
        signer_user_id TEXT NOT NULL,
        signer_key_id  TEXT NOT NULL,
        target_user_id TEXT NOT NULL,
        target_key_id  TEXT NOT NULL,
        signature      TEXT NOT NULL,
        PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE key_signatures');
    await queryRunner.query('DROP TABLE cross_signing_keys');
  }
}
