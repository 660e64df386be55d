import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quarantine of other servers' media we cached, as of our own (MediaQuarantine): served to no one until released. */
export class RemoteMediaQuarantine1764101500000 implements MigrationInterface {
  name = 'RemoteMediaQuarantine1764101500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE remote_media_cache ADD COLUMN quarantined_by TEXT');
    await queryRunner.query('ALTER TABLE remote_media_cache ADD COLUMN quarantined_ts BIGINT');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE remote_media_cache DROP COLUMN quarantined_ts');
    await queryRunner.query('ALTER TABLE remote_media_cache DROP COLUMN quarantined_by');
  }
}
