import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * POST /search: one full-text index over message bodies, with PostgreSQL's `simple` configuration
 * (lower-cased words, no stemming, no stop words), which treats every language alike: rooms mix
 * languages, and a stemmer for one language mangles the others. The search query uses the same
 * expression, so the planner can use the index.
 */
export class MessageSearch1764060000000 implements MigrationInterface {
  name = 'MessageSearch1764060000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX events_message_search ON events
         USING GIN (to_tsvector('simple', COALESCE(pdu->'content'->>'body', '')))
         WHERE type = 'm.room.message'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_message_search');
  }
}
