import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The content repository's metadata (issue 18). The bytes live in a MediaStore (the filesystem
 * under HEARTH_DATA_DIR/media by default) under their sha256, so identical uploads are stored
 * once: `media_content` has one row per stored blob, and `local_media` one row per media ID our
 * users created, pointing at its blob once the bytes arrived (an asynchronous upload's ID exists
 * before its bytes do: `sha256` is null and `unused_expires_ts` says when the ID lapses).
 * Thumbnails are blobs too, kept per source blob, size, method and animation, so a thumbnail is
 * computed once whichever media ID asks for it.
 */
export class Media1764040000000 implements MigrationInterface {
  name = 'Media1764040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE media_content (
        sha256 TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size BIGINT NOT NULL CHECK (size >= 0),
        created_ts BIGINT NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE local_media (
        media_id TEXT PRIMARY KEY,
        uploader TEXT NOT NULL,
        content_type TEXT,
        upload_name TEXT,
        size BIGINT,
        sha256 TEXT REFERENCES media_content (sha256),
        created_ts BIGINT NOT NULL,
        uploaded_ts BIGINT,
        unused_expires_ts BIGINT,
        CHECK ((sha256 IS NULL) = (uploaded_ts IS NULL))
      )`);
    await queryRunner.query('CREATE INDEX local_media_by_uploader ON local_media (uploader, created_ts)');
    await queryRunner.query('CREATE INDEX local_media_by_content ON local_media (sha256) WHERE sha256 IS NOT NULL');
    await queryRunner.query(
      'CREATE INDEX local_media_pending ON local_media (uploader, unused_expires_ts) WHERE sha256 IS NULL',
    );
    await queryRunner.query(`
      CREATE TABLE media_thumbnails (
        source_sha256 TEXT NOT NULL REFERENCES media_content (sha256) ON DELETE CASCADE,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('crop', 'scale')),
        animated BOOLEAN NOT NULL,
        content_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES media_content (sha256),
        created_ts BIGINT NOT NULL,
        PRIMARY KEY (source_sha256, width, height, method, animated)
      )`);
    await queryRunner.query('CREATE INDEX media_thumbnails_by_content ON media_thumbnails (sha256)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE media_thumbnails');
    await queryRunner.query('DROP TABLE local_media');
    await queryRunner.query('DROP TABLE media_content');
  }
}
