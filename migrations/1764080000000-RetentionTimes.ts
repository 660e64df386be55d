import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention purge (docs/privacy.md, "Retention") needs to know how old an undelivered
 * to-device message is. The default fills it in, so the writers need not change; rows already
 * waiting count from now. Indexes on the times the purges filter on, so an hourly purge does not
 * scan whole tables.
 */
export class RetentionTimes1764080000000 implements MigrationInterface {
  name = 'RetentionTimes1764080000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE device_inbox
         ADD COLUMN created_ts BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint`,
    );
    await queryRunner.query('CREATE INDEX device_inbox_created ON device_inbox (created_ts)');
    await queryRunner.query('CREATE INDEX event_txns_created ON event_txns (created_ts)');
    await queryRunner.query('CREATE INDEX to_device_txns_created ON to_device_txns (created_ts)');
    await queryRunner.query('CREATE INDEX federation_inbound_txns_received ON federation_inbound_txns (received_ts)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX federation_inbound_txns_received');
    await queryRunner.query('DROP INDEX to_device_txns_created');
    await queryRunner.query('DROP INDEX event_txns_created');
    await queryRunner.query('DROP INDEX device_inbox_created');
    await queryRunner.query('ALTER TABLE device_inbox DROP COLUMN created_ts');
  }
}
