import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * To-device messages waiting for their device (spec "Send-to-Device messaging"), with a stream
 * position from the `to_device` counter row; a message is deleted once its device's sync
 * acknowledges it. Client transaction IDs make a retried send deliver once.
 */
export class ToDevice1763890000000 implements MigrationInterface {
  name = 'ToDevice1763890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_inbox (
        user_id   TEXT   NOT NULL,
        device_id TEXT   NOT NULL,
        stream_id BIGINT NOT NULL,
        sender    TEXT   NOT NULL,
        type      TEXT   NOT NULL,
        content   JSONB  NOT NULL,
        PRIMARY KEY (user_id, device_id, stream_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE to_device_txns (
        user_id    TEXT   NOT NULL,
        device_id  TEXT   NOT NULL,
        txn_id     TEXT   NOT NULL,
        created_ts BIGINT NOT NULL,
        PRIMARY KEY (user_id, device_id, txn_id)
      )`);
    await queryRunner.query("INSERT INTO stream_positions (stream, position) VALUES ('to_device', 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM stream_positions WHERE stream = 'to_device'");
    await queryRunner.query('DROP TABLE to_device_txns');
    await queryRunner.query('DROP TABLE device_inbox');
  }
}
