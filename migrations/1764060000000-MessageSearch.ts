import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * POST /search: each message's body as a full-text vector, kept by PostgreSQL beside the event
 * (a stored generated column: nothing writes it, so the pipeline's one INSERT stays as it is), and
 * one GIN index over it. The `simple` configuration (lower-cased words, no stemming, no stop
 * words) treats every language alike: rooms mix languages, and a stemmer for one mangles the
 * others. Stored rather than an expression index because ranking and the per-row checks of a
 * `recent` search would otherwise parse each matching body again. Adding the column rewrites the
 * events table once.
 */
export class MessageSearch1764060000000 implements MigrationInterface {
  name = 'MessageSearch1764060000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         CASE WHEN type = 'm.room.message' THEN to_tsvector('simple', COALESCE(pdu->'content'->>'body', '')) END
       ) STORED`,
    );
    await queryRunner.query(
      'CREATE INDEX events_search_vector ON events USING GIN (search_vector) WHERE search_vector IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_search_vector');
    await queryRunner.query('ALTER TABLE events DROP COLUMN search_vector');
  }
}
