import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Devices' end-to-end-encryption identity keys, their one-time keys and their fallback keys. */
export class DeviceKeys1763900000000 implements MigrationInterface {
  name = 'DeviceKeys1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_keys (
        user_id   TEXT  NOT NULL,
        device_id TEXT  NOT NULL,
        keys      JSONB NOT NULL,
        PRIMARY KEY (user_id, device_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE one_time_keys (
        user_id   TEXT  NOT NULL,
        device_id TEXT  NOT NULL,
        algorithm TEXT  NOT NULL,
        key_id    TEXT  NOT NULL,
        key       JSONB NOT NULL,
        PRIMARY KEY (user_id, device_id, algorithm, key_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE fallback_keys (
        user_id   TEXT    NOT NULL,
        device_id TEXT    NOT NULL,
        algorithm TEXT    NOT NULL,
        key_id    TEXT    NOT NULL,
        key       JSONB   NOT NULL,
        used      BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (user_id, device_id, algorithm)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['fallback_keys', 'one_time_keys', 'device_keys'])
      await queryRunner.query(`DROP TABLE ${table}`);
  }
}
