import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports users make of events and rooms (CS API `POST /rooms/{roomId}/report[/{eventId}]`), kept
 * for the server's admins (Synapse's `/_synapse/admin/v1/event_reports`) until an admin deletes
 * them. Only what the reporter sent and who they are: the event itself stays in `events`.
 */
export class EventReports1764070000000 implements MigrationInterface {
  name = 'EventReports1764070000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_reports (
        id BIGSERIAL PRIMARY KEY,
        received_ts BIGINT NOT NULL,
        room_id TEXT NOT NULL,
        event_id TEXT,
        user_id TEXT NOT NULL,
        reason TEXT,
        score INTEGER CHECK (score BETWEEN -100 AND 0)
      )`);
    // Admins filter by reporter or room; both are also how an account's or a room's reports are erased.
    await queryRunner.query('CREATE INDEX event_reports_user ON event_reports (user_id)');
    await queryRunner.query('CREATE INDEX event_reports_room ON event_reports (room_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE event_reports');
  }
}
