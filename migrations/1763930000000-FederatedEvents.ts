import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events from other servers. Outliers (state and auth chains we were given, but that are not
 * part of our timeline) have no stream position. A room whose DAG has forked keeps the
 * state group of its resolved current state, which the next local event builds on.
 */
export class FederatedEvents1763930000000 implements MigrationInterface {
  name = 'FederatedEvents1763930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ALTER COLUMN stream_ordering DROP NOT NULL');
    await queryRunner.query('ALTER TABLE rooms ADD COLUMN resolved_state_group BIGINT REFERENCES state_groups (id)');
    await queryRunner.query(`
      CREATE TABLE federation_inbound_txns (
        origin      TEXT   NOT NULL,
        txn_id      TEXT   NOT NULL,
        response    JSONB  NOT NULL,
        received_ts BIGINT NOT NULL,
        PRIMARY KEY (origin, txn_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE federation_inbound_txns');
    await queryRunner.query('ALTER TABLE rooms DROP COLUMN resolved_state_group');
    await queryRunner.query('DELETE FROM events WHERE stream_ordering IS NULL');
    await queryRunner.query('ALTER TABLE events ALTER COLUMN stream_ordering SET NOT NULL');
  }
}
