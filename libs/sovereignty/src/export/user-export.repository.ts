import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export type ExportState = 'pending' | 'running' | 'ready' | 'failed';

export interface UserExport {
  readonly exportId: string;
  readonly userId: string;
  readonly state: ExportState;
  readonly roomsDone: number;
  readonly roomsTotal: number;
  readonly sizeBytes: number | null;
  readonly createdTs: number;
  readonly finishedTs: number | null;
  readonly expiresTs: number | null;
}

interface ExportRow {
  export_id: string;
  user_id: string;
  state: ExportState;
  rooms_done: number;
  rooms_total: number;
  size_bytes: string | null;
  created_ts: string;
  finished_ts: string | null;
  expires_ts: string | null;
}

const nullableNumber = (value: string | null) => (value === null ? null : Number(value));

function toUserExport(row: ExportRow): UserExport {
  return {
    exportId: row.export_id,
    userId: row.user_id,
    state: row.state,
    roomsDone: row.rooms_done,
    roomsTotal: row.rooms_total,
    sizeBytes: nullableNumber(row.size_bytes),
    createdTs: Number(row.created_ts),
    finishedTs: nullableNumber(row.finished_ts),
    expiresTs: nullableNumber(row.expires_ts),
  };
}

/** The user_exports table: one row per archive asked for. */
@Injectable()
export class UserExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the user already has one pending or running (the partial unique index). */
  async insertPending(exportId: string, userId: string, now: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO user_exports (export_id, user_id, state, created_ts) VALUES ($1, $2, 'pending', $3)
       ON CONFLICT DO NOTHING RETURNING export_id`,
      [exportId, userId, now],
    );
    return rows.length === 1;
  }

  async find(exportId: string): Promise<UserExport | undefined> {
    const rows: ExportRow[] = await this.dataSource.query('SELECT * FROM user_exports WHERE export_id = $1', [
      exportId,
    ]);
    return rows[0] && toUserExport(rows[0]);
  }

  async latest(userId: string): Promise<UserExport | undefined> {
    const rows: ExportRow[] = await this.dataSource.query(
      'SELECT * FROM user_exports WHERE user_id = $1 ORDER BY created_ts DESC, export_id LIMIT 1',
      [userId],
    );
    return rows[0] && toUserExport(rows[0]);
  }

  async unfinished(userId: string): Promise<UserExport | undefined> {
    const rows: ExportRow[] = await this.dataSource.query(
      `SELECT * FROM user_exports WHERE user_id = $1 AND state IN ('pending', 'running')`,
      [userId],
    );
    return rows[0] && toUserExport(rows[0]);
  }

  /** Locks the user's unfinished export, if any, so a job cannot claim it while erasure decides. */
  async hasUnfinished(userId: string, em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM user_exports WHERE user_id = $1 AND state IN ('pending', 'running') FOR UPDATE`,
      [userId],
    );
    return rows.length > 0;
  }

  /** Claims a pending export for this worker; false when another took it or it is gone. */
  async claim(exportId: string): Promise<boolean> {
    // UPDATE ... RETURNING through TypeORM's pg driver answers [rows, count].
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE user_exports SET state = 'running' WHERE export_id = $1 AND state = 'pending' RETURNING export_id`,
      [exportId],
    );
    return rows.length === 1;
  }

  async progress(exportId: string, roomsDone: number, roomsTotal: number): Promise<void> {
    await this.dataSource.query('UPDATE user_exports SET rooms_done = $2, rooms_total = $3 WHERE export_id = $1', [
      exportId,
      roomsDone,
      roomsTotal,
    ]);
  }

  /** False when the row went meanwhile (erasure): the caller deletes the archive. */
  async finish(exportId: string, sizeBytes: number, now: number, expiresTs: number): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE user_exports SET state = 'ready', size_bytes = $2, finished_ts = $3, expires_ts = $4
       WHERE export_id = $1 RETURNING export_id`,
      [exportId, sizeBytes, now, expiresTs],
    );
    return rows.length === 1;
  }

  async fail(exportId: string, now: number): Promise<void> {
    await this.dataSource.query(`UPDATE user_exports SET state = 'failed', finished_ts = $2 WHERE export_id = $1`, [
      exportId,
      now,
    ]);
  }

  /** Rows whose archive has expired (ready) or that ended without one (failed) a week ago. */
  async expired(now: number): Promise<UserExport[]> {
    const rows: ExportRow[] = await this.dataSource.query(
      `SELECT * FROM user_exports WHERE (state = 'ready' AND expires_ts <= $1) OR (state = 'failed' AND finished_ts <= $2)`,
      [now, now - 7 * 24 * 3600 * 1000],
    );
    return rows.map(toUserExport);
  }

  async allOf(userId: string): Promise<UserExport[]> {
    const rows: ExportRow[] = await this.dataSource.query('SELECT * FROM user_exports WHERE user_id = $1', [userId]);
    return rows.map(toUserExport);
  }

  async delete(exportId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM user_exports WHERE export_id = $1', [exportId]);
  }
}
