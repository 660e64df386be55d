import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound federation's durable outbox (what each destination has yet to receive, written in the
 * transaction that commits it) and each destination's delivery state (backoff, lease, health).
 */
export class Delivery1763980000000 implements MigrationInterface {
  name = 'Delivery1763980000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE federation_outbox (
        id          BIGSERIAL PRIMARY KEY,
        destination TEXT    NOT NULL,
        kind        TEXT    NOT NULL CHECK (kind IN ('pdu', 'edu')),
        payload     JSONB   NOT NULL,
        droppable   BOOLEAN NOT NULL DEFAULT FALSE,
        created_ts  BIGINT  NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX federation_outbox_destination ON federation_outbox (destination, kind, id)');
    await queryRunner.query(`
      CREATE TABLE federation_destinations (
        destination     TEXT    PRIMARY KEY,
        failures        INTEGER NOT NULL DEFAULT 0,
        retry_at        BIGINT  NOT NULL DEFAULT 0,
        down_since      BIGINT,
        last_error      TEXT,
        last_success_ts BIGINT,
        leased_until    BIGINT,
        lease_owner     TEXT
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE federation_destinations');
    await queryRunner.query('DROP TABLE federation_outbox');
  }
}
