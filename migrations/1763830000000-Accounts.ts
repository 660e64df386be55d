import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, devices, tokens, UIA sessions, registration tokens, profiles and account data. */
export class Accounts1763830000000 implements MigrationInterface {
  name = 'Accounts1763830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        user_id        TEXT    PRIMARY KEY,
        localpart      TEXT    NOT NULL UNIQUE,
        password_hash  TEXT,
        is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
        created_ts     BIGINT  NOT NULL,
        deactivated_ts BIGINT
      )`);
    await queryRunner.query(`
      CREATE TABLE profiles (
        user_id     TEXT PRIMARY KEY REFERENCES users (user_id),
        displayname TEXT,
        avatar_url  TEXT
      )`);
    await queryRunner.query(`
      CREATE TABLE devices (
        user_id      TEXT   NOT NULL REFERENCES users (user_id),
        device_id    TEXT   NOT NULL,
        display_name TEXT,
        created_ts   BIGINT NOT NULL,
        last_seen_ts BIGINT,
        PRIMARY KEY (user_id, device_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE refresh_tokens (
        id                    BIGSERIAL PRIMARY KEY,
        token_hash            BYTEA  NOT NULL UNIQUE,
        user_id               TEXT   NOT NULL,
        device_id             TEXT   NOT NULL,
        next_refresh_token_id BIGINT REFERENCES refresh_tokens (id) ON DELETE SET NULL,
        created_ts            BIGINT NOT NULL,
        expires_ts            BIGINT,
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE access_tokens (
        id               BIGSERIAL PRIMARY KEY,
        token_hash       BYTEA  NOT NULL UNIQUE,
        user_id          TEXT   NOT NULL,
        device_id        TEXT   NOT NULL,
        created_ts       BIGINT NOT NULL,
        expires_ts       BIGINT,
        refresh_token_id BIGINT REFERENCES refresh_tokens (id) ON DELETE CASCADE,
        used             BOOLEAN NOT NULL DEFAULT FALSE,
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      )`);
    await queryRunner.query('CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id)');
    await queryRunner.query('CREATE INDEX refresh_tokens_device ON refresh_tokens (user_id, device_id)');
    await queryRunner.query(`
      CREATE TABLE registration_tokens (
        token        TEXT    PRIMARY KEY,
        uses_allowed INTEGER,
        pending      INTEGER NOT NULL DEFAULT 0,
        completed    INTEGER NOT NULL DEFAULT 0,
        expiry_time  BIGINT,
        created_ts   BIGINT  NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE uia_sessions (
        session_id   TEXT   PRIMARY KEY,
        request_hash TEXT   NOT NULL,
        user_id      TEXT,
        completed    JSONB  NOT NULL DEFAULT '[]',
        params       JSONB  NOT NULL DEFAULT '{}',
        created_ts   BIGINT NOT NULL,
        registration_token TEXT
      )`);
    await queryRunner.query(`
      CREATE TABLE account_data (
        user_id   TEXT   NOT NULL REFERENCES users (user_id),
        room_id   TEXT   NOT NULL DEFAULT '',
        type      TEXT   NOT NULL,
        content   JSONB  NOT NULL,
        stream_id BIGSERIAL,
        PRIMARY KEY (user_id, room_id, type)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'account_data',
      'uia_sessions',
      'registration_tokens',
      'access_tokens',
      'refresh_tokens',
      'devices',
      'profiles',
      'users',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
