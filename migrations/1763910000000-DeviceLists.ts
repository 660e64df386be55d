import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When each user's device list changed (new device keys, devices removed), as a stream for sync and /keys/changes. */
export class DeviceLists1763910000000 implements MigrationInterface {
  name = 'DeviceLists1763910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_list_changes (
        user_id   TEXT   NOT NULL,
        stream_id BIGINT NOT NULL,
        PRIMARY KEY (stream_id, user_id)
      )`);
    await queryRunner.query("INSERT INTO stream_positions (stream, position) VALUES ('device_lists', 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM stream_positions WHERE stream = 'device_lists'");
    await queryRunner.query('DROP TABLE device_list_changes');
  }
}
