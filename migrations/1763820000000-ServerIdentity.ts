import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which server this database belongs to; see libs/storage server-identity.ts. */
export class ServerIdentity1763820000000 implements MigrationInterface {
  name = 'ServerIdentity1763820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE server_identity (
        singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        server_name TEXT    NOT NULL,
        created_ts  BIGINT  NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE server_identity');
  }
}
