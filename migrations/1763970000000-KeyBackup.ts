import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Server-side key backups (spec CS API "Server-side key backups"): versions, and the encrypted room keys in each. */
export class KeyBackup1763970000000 implements MigrationInterface {
  name = 'KeyBackup1763970000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE key_backup_versions (
        version   BIGSERIAL PRIMARY KEY,
        user_id   TEXT    NOT NULL,
        algorithm TEXT    NOT NULL,
        auth_data JSONB   NOT NULL,
        etag      BIGINT  NOT NULL DEFAULT 0,
        deleted   BOOLEAN NOT NULL DEFAULT FALSE
      )`);
    await queryRunner.query('CREATE INDEX key_backup_versions_user ON key_backup_versions (user_id, version)');
    await queryRunner.query(`
      CREATE TABLE key_backup_sessions (
        version             BIGINT  NOT NULL REFERENCES key_backup_versions (version) ON DELETE CASCADE,
        room_id             TEXT    NOT NULL,
        session_id          TEXT    NOT NULL,
        first_message_index BIGINT  NOT NULL,
        forwarded_count     BIGINT  NOT NULL,
        is_verified         BOOLEAN NOT NULL,
        session_data        JSONB   NOT NULL,
        PRIMARY KEY (version, room_id, session_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE key_backup_sessions');
    await queryRunner.query('DROP TABLE key_backup_versions');
  }
}
