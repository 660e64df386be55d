import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Serving an event to the device that sent it adds `unsigned.transaction_id` (spec: for that
 * device only, so clients match their local echo). /sync, /messages, /context and /event look the
 * transaction up by event; the key (user, device, txn) only finds it by transaction ID.
 */
export class EventTxnsByEvent1764036000000 implements MigrationInterface {
  name = 'EventTxnsByEvent1764036000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX event_txns_event ON event_txns (event_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX event_txns_event');
  }
}
