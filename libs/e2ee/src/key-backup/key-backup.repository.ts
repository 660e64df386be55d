import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

export interface BackupVersion {
  readonly version: string;
  readonly algorithm: string;
  readonly authData: JsonObject;
  readonly etag: number;
}

export interface BackedUpSession {
  readonly roomId: string;
  readonly sessionId: string;
  readonly firstMessageIndex: number;
  readonly forwardedCount: number;
  readonly isVerified: boolean;
  readonly sessionData: JsonObject;
}

interface VersionRow {
  version: string;
  algorithm: string;
  auth_data: JsonObject;
  etag: string;
}

@Injectable()
export class KeyBackupRepository {
  async create(userId: string, algorithm: string, authData: JsonObject, em: EntityManager): Promise<string> {
    const [row] = await queryRows<{ version: string }>(
      em,
      'INSERT INTO key_backup_versions (user_id, algorithm, auth_data) VALUES ($1, $2, $3) RETURNING version',
      [userId, algorithm, JSON.stringify(authData)],
    );
    return String(row?.version);
  }

  /** The user's newest live version, or the one named; locked for the rest of the transaction when `lock`. */
  async find(
    userId: string,
    version: string | undefined,
    em: EntityManager,
    lock = false,
  ): Promise<BackupVersion | undefined> {
    if (version !== undefined && !/^\d{1,18}$/.test(version)) return undefined;
    const rows = await queryRows<VersionRow>(
      em,
      `SELECT version, algorithm, auth_data, etag FROM key_backup_versions
        WHERE user_id = $1 AND NOT deleted ${version === undefined ? '' : 'AND version = $2'}
        ORDER BY version DESC LIMIT 1 ${lock ? 'FOR UPDATE' : ''}`,
      version === undefined ? [userId] : [userId, version],
    );
    const row = rows[0];
    return (
      row && { version: String(row.version), algorithm: row.algorithm, authData: row.auth_data, etag: Number(row.etag) }
    );
  }

  async update(version: string, authData: JsonObject, em: EntityManager): Promise<void> {
    await em.query('UPDATE key_backup_versions SET auth_data = $2 WHERE version = $1', [
      version,
      JSON.stringify(authData),
    ]);
  }

  async markDeleted(version: string, em: EntityManager): Promise<void> {
    await em.query('UPDATE key_backup_versions SET deleted = TRUE WHERE version = $1', [version]);
    await em.query('DELETE FROM key_backup_sessions WHERE version = $1', [version]);
  }

  async bumpEtag(version: string, em: EntityManager): Promise<void> {
    await em.query('UPDATE key_backup_versions SET etag = etag + 1 WHERE version = $1', [version]);
  }

  async count(version: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(
      em,
      'SELECT count(*) AS count FROM key_backup_sessions WHERE version = $1',
      [version],
    );
    return Number(row?.count ?? 0);
  }

  async sessions(version: string, em: EntityManager, roomId?: string, sessionId?: string): Promise<BackedUpSession[]> {
    const rows = await queryRows<{
      room_id: string;
      session_id: string;
      first_message_index: string;
      forwarded_count: string;
      is_verified: boolean;
      session_data: JsonObject;
    }>(
      em,
      `SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data FROM key_backup_sessions
        WHERE version = $1 AND ($2::text IS NULL OR room_id = $2) AND ($3::text IS NULL OR session_id = $3)`,
      [version, roomId ?? null, sessionId ?? null],
    );
    return rows.map((row) => ({
      roomId: row.room_id,
      sessionId: row.session_id,
      firstMessageIndex: Number(row.first_message_index),
      forwardedCount: Number(row.forwarded_count),
      isVerified: row.is_verified,
      sessionData: row.session_data,
    }));
  }

  async put(version: string, sessions: readonly BackedUpSession[], em: EntityManager): Promise<void> {
    if (sessions.length === 0) return;
    await em.query(
      `INSERT INTO key_backup_sessions (version, room_id, session_id, first_message_index, forwarded_count, is_verified, session_data)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::boolean[], $7::jsonb[])
       ON CONFLICT (version, room_id, session_id) DO UPDATE SET first_message_index = EXCLUDED.first_message_index, forwarded_count = EXCLUDED.forwarded_count,
         is_verified = EXCLUDED.is_verified, session_data = EXCLUDED.session_data`,
      [
        version,
        sessions.map((s) => s.roomId),
        sessions.map((s) => s.sessionId),
        sessions.map((s) => s.firstMessageIndex),
        sessions.map((s) => s.forwardedCount),
        sessions.map((s) => s.isVerified),
        sessions.map((s) => JSON.stringify(s.sessionData)),
      ],
    );
  }

  async delete(version: string, em: EntityManager, roomId?: string, sessionId?: string): Promise<void> {
    await em.query(
      'DELETE FROM key_backup_sessions WHERE version = $1 AND ($2::text IS NULL OR room_id = $2) AND ($3::text IS NULL OR session_id = $3)',
      [version, roomId ?? null, sessionId ?? null],
    );
  }
}
