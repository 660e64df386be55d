import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * URL previews (issue 18, item 6) are cached per URL for a bounded time (`expires_ts`, one hour by
 * default), then purged by the retention job. Who asked for a preview is not recorded: the row
 * holds only what the page said about itself.
 */
export class UrlPreviews1764101100000 implements MigrationInterface {
  name = 'UrlPreviews1764101100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE url_previews (
        url         TEXT   PRIMARY KEY,
        og          JSONB  NOT NULL,
        fetched_ts  BIGINT NOT NULL,
        expires_ts  BIGINT NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX url_previews_expiry ON url_previews (expires_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE url_previews');
  }
}
