import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rooms, the event DAG, state groups stored as deltas, current state and send transactions. */
export class Rooms1763840000000 implements MigrationInterface {
  name = 'Rooms1763840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rooms (
        room_id      TEXT    PRIMARY KEY,
        room_version TEXT    NOT NULL,
        creator      TEXT    NOT NULL,
        created_ts   BIGINT  NOT NULL,
        is_public    BOOLEAN NOT NULL DEFAULT FALSE
      )`);
    await queryRunner.query(`
      CREATE TABLE state_groups (
        id          BIGSERIAL PRIMARY KEY,
        room_id     TEXT    NOT NULL REFERENCES rooms (room_id),
        prev_group  BIGINT  REFERENCES state_groups (id),
        chain_depth INTEGER NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE state_group_entries (
        state_group BIGINT NOT NULL REFERENCES state_groups (id),
        type        TEXT   NOT NULL,
        state_key   TEXT   NOT NULL,
        event_id    TEXT   NOT NULL,
        PRIMARY KEY (state_group, type, state_key)
      )`);
    await queryRunner.query('CREATE SEQUENCE events_stream_seq');
    await queryRunner.query(`
      CREATE TABLE events (
        event_id           TEXT    PRIMARY KEY,
        room_id            TEXT    NOT NULL REFERENCES rooms (room_id),
        stream_ordering    BIGINT  NOT NULL UNIQUE,
        depth              BIGINT  NOT NULL,
        type               TEXT    NOT NULL,
        state_key          TEXT,
        sender             TEXT    NOT NULL,
        origin_server_ts   BIGINT  NOT NULL,
        pdu                JSONB   NOT NULL,
        state_group_before BIGINT  REFERENCES state_groups (id),
        state_group_after  BIGINT  REFERENCES state_groups (id),
        redacted_by        TEXT
      )`);
    await queryRunner.query('CREATE INDEX events_room_stream ON events (room_id, stream_ordering)');
    await queryRunner.query(`
      CREATE TABLE event_edges (
        event_id      TEXT NOT NULL REFERENCES events (event_id),
        prev_event_id TEXT NOT NULL,
        PRIMARY KEY (event_id, prev_event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE event_auth_edges (
        event_id      TEXT NOT NULL REFERENCES events (event_id),
        auth_event_id TEXT NOT NULL,
        PRIMARY KEY (event_id, auth_event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE room_forward_extremities (
        room_id  TEXT NOT NULL REFERENCES rooms (room_id),
        event_id TEXT NOT NULL REFERENCES events (event_id),
        PRIMARY KEY (room_id, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE current_state (
        room_id    TEXT NOT NULL REFERENCES rooms (room_id),
        type       TEXT NOT NULL,
        state_key  TEXT NOT NULL,
        event_id   TEXT NOT NULL REFERENCES events (event_id),
        membership TEXT,
        PRIMARY KEY (room_id, type, state_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX current_state_members ON current_state (state_key, membership) WHERE type = 'm.room.member'`,
    );
    await queryRunner.query(`
      CREATE TABLE event_txns (
        user_id   TEXT NOT NULL,
        device_id TEXT NOT NULL,
        txn_id    TEXT NOT NULL,
        event_id  TEXT NOT NULL REFERENCES events (event_id),
        body_hash TEXT NOT NULL,
        created_ts BIGINT NOT NULL,
        PRIMARY KEY (user_id, device_id, txn_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE room_aliases (
        room_alias TEXT   PRIMARY KEY,
        room_id    TEXT   NOT NULL REFERENCES rooms (room_id),
        creator    TEXT   NOT NULL,
        created_ts BIGINT NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX room_aliases_room ON room_aliases (room_id)');
    await queryRunner.query(`
      CREATE TABLE room_forgotten (
        user_id TEXT NOT NULL,
        room_id TEXT NOT NULL REFERENCES rooms (room_id),
        PRIMARY KEY (user_id, room_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'room_forgotten',
      'room_aliases',
      'event_txns',
      'current_state',
      'room_forward_extremities',
      'event_auth_edges',
      'event_edges',
      'events',
      'state_group_entries',
      'state_groups',
      'rooms',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
    await queryRunner.query('DROP SEQUENCE events_stream_seq');
  }
}
