import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Other servers' media, fetched for our users and kept (issue 18, item 5). The bytes are a
 * `media_content` blob like any upload's, so a remote file identical to a local one is stored
 * once. `last_access_ts` is rounded down to the day (who read it when is not kept): the retention
 * purge drops entries not read for `media.remote_cache_days`.
 */
export class RemoteMediaCache1764100000000 implements MigrationInterface {
  name = 'RemoteMediaCache1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE remote_media_cache (
        origin TEXT NOT NULL,
        media_id TEXT NOT NULL,
        content_type TEXT NOT NULL,
        upload_name TEXT,
        size BIGINT NOT NULL CHECK (size >= 0),
        sha256 TEXT NOT NULL REFERENCES media_content (sha256),
        created_ts BIGINT NOT NULL,
        last_access_ts BIGINT NOT NULL,
        PRIMARY KEY (origin, media_id)
      )`);
    await queryRunner.query('CREATE INDEX remote_media_cache_by_content ON remote_media_cache (sha256)');
    await queryRunner.query('CREATE INDEX remote_media_cache_by_access ON remote_media_cache (last_access_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE remote_media_cache');
  }
}
