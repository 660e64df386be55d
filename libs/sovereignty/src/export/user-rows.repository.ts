import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type Row = Record<string, unknown>;

/**
 * The rows of the metadata inventory that concern one user, each as the archive's file that
 * holds it. Secrets stay out: no password hash, no access or refresh tokens, no private or
 * one-time keys, no backed-up session data (it is encrypted to keys the server never has).
 */
const USER_ROW_QUERIES: ReadonlyArray<{ readonly file: string; readonly sql: string }> = [
  {
    file: 'account.json',
    sql: 'SELECT user_id, is_admin, created_ts, deactivated_ts FROM users WHERE user_id = $1',
  },
  { file: 'profile.json', sql: 'SELECT displayname, avatar_url FROM profiles WHERE user_id = $1' },
  {
    file: 'devices.jsonl',
    sql: 'SELECT device_id, display_name, created_ts, last_seen_ts FROM devices WHERE user_id = $1 ORDER BY device_id',
  },
  {
    file: 'account_data.jsonl',
    sql: `SELECT NULLIF(room_id, '') AS room_id, type, content FROM account_data WHERE user_id = $1 ORDER BY room_id, type`,
  },
  {
    file: 'push_rules.jsonl',
    sql: 'SELECT kind, rule_id, position, enabled, conditions, pattern, actions FROM push_rules WHERE user_id = $1 ORDER BY kind, position',
  },
  {
    file: 'receipts.jsonl',
    sql: 'SELECT room_id, receipt_type, thread_id, event_id, ts FROM receipts WHERE user_id = $1 ORDER BY room_id, receipt_type',
  },
  { file: 'filters.jsonl', sql: 'SELECT filter_id, filter FROM user_filters WHERE user_id = $1 ORDER BY filter_id' },
  { file: 'device_keys.jsonl', sql: 'SELECT device_id, keys FROM device_keys WHERE user_id = $1 ORDER BY device_id' },
  {
    file: 'key_backups.jsonl',
    sql: 'SELECT version, algorithm, auth_data, deleted FROM key_backup_versions WHERE user_id = $1 ORDER BY version',
  },
  {
    file: 'memberships.jsonl',
    sql: `SELECT cs.room_id, cs.membership, cs.event_id, e.origin_server_ts
          FROM current_state cs JOIN events e ON e.event_id = cs.event_id
          WHERE cs.type = 'm.room.member' AND cs.state_key = $1 ORDER BY cs.room_id`,
  },
  {
    file: 'exports.jsonl',
    sql: 'SELECT export_id, state, created_ts, finished_ts, expires_ts FROM user_exports WHERE user_id = $1 ORDER BY created_ts',
  },
];

export interface Upload {
  readonly media_id: string;
  readonly content_type: string | null;
  readonly upload_name: string | null;
  readonly size: number;
  readonly sha256: string;
  readonly created_ts: string;
}

@Injectable()
export class UserRowsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async *sections(userId: string): AsyncGenerator<{ file: string; rows: Row[] }> {
    for (const { file, sql } of USER_ROW_QUERIES) {
      const rows: Row[] = await this.dataSource.query(sql, [userId]);
      yield { file, rows };
    }
  }

  /** The user's finished uploads (pending ones have no bytes yet), oldest first. */
  async uploadsOf(userId: string): Promise<Upload[]> {
    return this.dataSource.query(
      `SELECT media_id, content_type, upload_name, size::int AS size, sha256, created_ts::bigint AS created_ts
         FROM local_media WHERE uploader = $1 AND sha256 IS NOT NULL ORDER BY created_ts, media_id`,
      [userId],
    );
  }

  async userExists(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM users WHERE user_id = $1', [userId]);
    return rows.length > 0;
  }

  /** Every room the user has a membership event in, whatever it is now. */
  async roomsOf(userId: string): Promise<string[]> {
    const rows: Array<{ room_id: string }> = await this.dataSource.query(
      `SELECT room_id FROM current_state WHERE type = 'm.room.member' AND state_key = $1 ORDER BY room_id`,
      [userId],
    );
    return rows.map((row) => row.room_id);
  }
}
