import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

export interface NewReport {
  readonly roomId: string;
  /** Absent for a report of the whole room. */
  readonly eventId?: string;
  readonly userId: string;
  readonly reason?: string;
  readonly score?: number;
  readonly receivedTs: number;
}

export interface ReportFilter {
  readonly offset: number;
  readonly limit: number;
  readonly newestFirst: boolean;
  /** Substrings of the reporter's and the room's IDs, as Synapse filters them. */
  readonly userId?: string;
  readonly roomId?: string;
}

export interface ReportRow {
  readonly id: string;
  readonly received_ts: string;
  readonly room_id: string;
  readonly event_id: string | null;
  readonly user_id: string;
  readonly reason: string | null;
  readonly score: number | null;
}

const COLUMNS = 'id, received_ts, room_id, event_id, user_id, reason, score';

@Injectable()
export class EventReportRepository {
  async insert(report: NewReport, em: EntityManager): Promise<void> {
    await em.query(
      'INSERT INTO event_reports (received_ts, room_id, event_id, user_id, reason, score) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        report.receivedTs,
        report.roomId,
        report.eventId ?? null,
        report.userId,
        report.reason ?? null,
        report.score ?? null,
      ],
    );
  }

  async page(filter: ReportFilter, em: EntityManager): Promise<{ rows: ReportRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) {
      params.push(containsPattern(filter.userId));
      where.push(`user_id LIKE $${params.length}`);
    }
    if (filter.roomId !== undefined) {
      params.push(containsPattern(filter.roomId));
      where.push(`room_id LIKE $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await queryRows<{ count: string }>(
      em,
      `SELECT count(*) AS count FROM event_reports ${clause}`,
      params,
    );
    const rows = await queryRows<ReportRow>(
      em,
      `SELECT ${COLUMNS} FROM event_reports ${clause}
        ORDER BY id ${filter.newestFirst ? 'DESC' : 'ASC'} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return { rows, total: Number(total[0]?.count ?? 0) };
  }

  async find(id: number, em: EntityManager): Promise<ReportRow | undefined> {
    const rows = await queryRows<ReportRow>(em, `SELECT ${COLUMNS} FROM event_reports WHERE id = $1`, [id]);
    return rows[0];
  }

  async delete(id: number, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(em, 'DELETE FROM event_reports WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}

function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
