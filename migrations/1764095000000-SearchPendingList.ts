import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The message search index keeps new entries in a pending list until vacuum or the list's limit
 * merges them, and every search reads the whole list: at PostgreSQL's default 4 MB (some 40,000
 * messages) that was 12 ms of a 13 ms search for a rare word. At 128 kB a search reads little and
 * the merge, paid by one insert in about a thousand, stays small.
 */
export class SearchPendingList1764095000000 implements MigrationInterface {
  name = 'SearchPendingList1764095000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER INDEX events_search_vector SET (gin_pending_list_limit = 128)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER INDEX events_search_vector RESET (gin_pending_list_limit)');
  }
}
