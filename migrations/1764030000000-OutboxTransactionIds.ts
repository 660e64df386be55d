import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each outbox row remembers the federation transaction it was first sent in: a random ID given
 * when the transaction is put together, so a retry resends the same rows under the same ID, and
 * an ID never comes back for other rows, even after the database is recreated or restored
 * (row numbers do come back then, and peers drop a transaction whose ID they have seen).
 */
export class OutboxTransactionIds1764030000000 implements MigrationInterface {
  name = 'OutboxTransactionIds1764030000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE federation_outbox ADD COLUMN txn_id TEXT');
    await queryRunner.query(
      'CREATE INDEX federation_outbox_in_transaction ON federation_outbox (destination, id) WHERE txn_id IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX federation_outbox_in_transaction');
    await queryRunner.query('ALTER TABLE federation_outbox DROP COLUMN txn_id');
  }
}
