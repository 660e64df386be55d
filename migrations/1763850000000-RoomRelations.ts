import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event relations (edits, reactions, threads, references) for /relations and /threads. */
export class RoomRelations1763850000000 implements MigrationInterface {
  name = 'RoomRelations1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_relations (
        event_id        TEXT PRIMARY KEY REFERENCES events (event_id),
        room_id         TEXT NOT NULL,
        relates_to_id   TEXT NOT NULL,
        rel_type        TEXT NOT NULL,
        type            TEXT NOT NULL,
        stream_ordering BIGINT NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX event_relations_parent ON event_relations (relates_to_id, rel_type, type, stream_ordering)',
    );
    await queryRunner.query(
      `CREATE INDEX event_relations_threads ON event_relations (room_id, stream_ordering) WHERE rel_type = 'm.thread'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE event_relations');
  }
}
