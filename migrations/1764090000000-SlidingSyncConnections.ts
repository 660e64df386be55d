import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Simplified sliding sync (MSC4186) keeps per-connection state on the server: which rooms a
 * connection has been sent, up to which event position and with which room config, and its
 * sticky room subscriptions. It lives in PostgreSQL so that a `pos` resumes after a restart and
 * on any process of the deployment. A connection is one (user, device, conn_id); each response
 * writes one position row, and a request with a `pos` drops the positions before it. A device's
 * connections go with the device.
 */
export class SlidingSyncConnections1764090000000 implements MigrationInterface {
  name = 'SlidingSyncConnections1764090000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sliding_sync_connections (
        id          BIGSERIAL PRIMARY KEY,
        user_id     TEXT   NOT NULL,
        device_id   TEXT   NOT NULL,
        conn_id     TEXT   NOT NULL,
        created_ts  BIGINT NOT NULL,
        UNIQUE (user_id, device_id, conn_id),
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE sliding_sync_positions (
        id             BIGSERIAL PRIMARY KEY,
        connection_id  BIGINT NOT NULL REFERENCES sliding_sync_connections (id) ON DELETE CASCADE,
        stream_token   TEXT   NOT NULL,
        sticky_params  JSONB  NOT NULL,
        rooms          JSONB  NOT NULL,
        created_ts     BIGINT NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX sliding_sync_positions_connection ON sliding_sync_positions (connection_id, id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE sliding_sync_positions');
    await queryRunner.query('DROP TABLE sliding_sync_connections');
  }
}
