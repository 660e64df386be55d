import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users' push rules, the notifications each event produced for each member, and read receipts. */
export class PushRulesAndReceipts1763860000000 implements MigrationInterface {
  name = 'PushRulesAndReceipts1763860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE push_rules (
        user_id    TEXT    NOT NULL,
        kind       TEXT    NOT NULL,
        rule_id    TEXT    NOT NULL,
        position   INTEGER NOT NULL,
        enabled    BOOLEAN NOT NULL DEFAULT TRUE,
        conditions JSONB,
        pattern    TEXT,
        actions    JSONB   NOT NULL,
        PRIMARY KEY (user_id, kind, rule_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE push_rule_defaults (
        user_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        enabled BOOLEAN,
        actions JSONB,
        PRIMARY KEY (user_id, rule_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE event_push_actions (
        user_id         TEXT    NOT NULL,
        room_id         TEXT    NOT NULL,
        event_id        TEXT    NOT NULL REFERENCES events (event_id),
        stream_ordering BIGINT  NOT NULL,
        thread_id       TEXT    NOT NULL,
        highlight       BOOLEAN NOT NULL,
        PRIMARY KEY (user_id, event_id)
      )`);
    await queryRunner.query(
      'CREATE INDEX event_push_actions_unread ON event_push_actions (user_id, room_id, thread_id, stream_ordering)',
    );
    await queryRunner.query(`
      CREATE TABLE receipts (
        room_id         TEXT   NOT NULL,
        user_id         TEXT   NOT NULL,
        receipt_type    TEXT   NOT NULL,
        thread_id       TEXT   NOT NULL,
        event_id        TEXT   NOT NULL,
        stream_ordering BIGINT NOT NULL,
        ts              BIGINT NOT NULL,
        PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['receipts', 'event_push_actions', 'push_rule_defaults', 'push_rules'])
      await queryRunner.query(`DROP TABLE ${table}`);
  }
}
