import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Synapse's media admin API (issue 18, item 7): an admin can quarantine a local media ID, after
 * which every download and thumbnail of it answers 404 while its bytes stay (unquarantine brings
 * it back). `quarantined_by` is the admin who did it, as Synapse's admin API reports it.
 */
export class MediaQuarantine1764101000000 implements MigrationInterface {
  name = 'MediaQuarantine1764101000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE local_media ADD COLUMN quarantined_by TEXT');
    await queryRunner.query('ALTER TABLE local_media ADD COLUMN quarantined_ts BIGINT');
    await queryRunner.query('CREATE INDEX local_media_by_created ON local_media (created_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX local_media_by_created');
    await queryRunner.query('ALTER TABLE local_media DROP COLUMN quarantined_ts');
    await queryRunner.query('ALTER TABLE local_media DROP COLUMN quarantined_by');
  }
}
