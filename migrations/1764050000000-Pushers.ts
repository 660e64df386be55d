import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Push to phones (docs/push.md): users' HTTP pushers with each one's delivery state (backoff and
 * lease, as federation_destinations), the notifications (and badge updates, rows without an event)
 * each pusher has yet to hand its gateway,
 * and how far the push feed has read the committed notifications (event_push_actions), so that a
 * restart carries on where it stopped. Indexes on the notifications' stream positions let the
 * feed read what is new without scanning every unread notification.
 */
export class Pushers1764050000000 implements MigrationInterface {
  name = 'Pushers1764050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pushers (
        id                  BIGSERIAL PRIMARY KEY,
        user_id             TEXT    NOT NULL,
        -- the device whose access token set it: the pusher goes when the device does (a logout)
        device_id           TEXT,
        app_id              TEXT    NOT NULL,
        pushkey             TEXT    NOT NULL,
        kind                TEXT    NOT NULL CHECK (kind IN ('http')),
        app_display_name    TEXT    NOT NULL,
        device_display_name TEXT    NOT NULL,
        profile_tag         TEXT,
        lang                TEXT    NOT NULL,
        data                JSONB   NOT NULL,
        pushkey_ts          BIGINT  NOT NULL,
        failures            INTEGER NOT NULL DEFAULT 0,
        retry_at            BIGINT  NOT NULL DEFAULT 0,
        last_error          TEXT,
        leased_until        BIGINT,
        lease_owner         TEXT,
        UNIQUE (user_id, app_id, pushkey)
      )`);
    await queryRunner.query('CREATE INDEX pushers_app_pushkey ON pushers (app_id, pushkey)');
    await queryRunner.query(`
      CREATE TABLE push_outbox (
        id              BIGSERIAL PRIMARY KEY,
        pusher_id       BIGINT  NOT NULL REFERENCES pushers (id) ON DELETE CASCADE,
        room_id         TEXT,
        event_id        TEXT,
        stream_ordering BIGINT,
        highlight       BOOLEAN NOT NULL DEFAULT FALSE,
        created_ts      BIGINT  NOT NULL,
        CHECK ((event_id IS NULL) = (room_id IS NULL) AND (event_id IS NULL) = (stream_ordering IS NULL))
      )`);
    await queryRunner.query('CREATE INDEX push_outbox_pusher ON push_outbox (pusher_id, id)');
    // A row without an event only updates the badge; one waiting per pusher is enough.
    await queryRunner.query(
      'CREATE UNIQUE INDEX push_outbox_one_badge ON push_outbox (pusher_id) WHERE event_id IS NULL',
    );
    await queryRunner.query(`
      CREATE TABLE push_feed (
        only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
        position BIGINT  NOT NULL
      )`);
    // Notifications committed before pushers existed are nobody's to push.
    await queryRunner.query(
      `INSERT INTO push_feed (position) SELECT COALESCE((SELECT position FROM stream_positions WHERE stream = 'events'), 0)`,
    );
    await queryRunner.query('CREATE INDEX event_push_actions_position ON event_push_actions (stream_ordering)');
    await queryRunner.query(
      'CREATE INDEX event_push_actions_folded_position ON event_push_actions_folded (stream_ordering)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX event_push_actions_folded_position');
    await queryRunner.query('DROP INDEX event_push_actions_position');
    await queryRunner.query('DROP TABLE push_feed');
    await queryRunner.query('DROP TABLE push_outbox');
    await queryRunner.query('DROP TABLE pushers');
  }
}
