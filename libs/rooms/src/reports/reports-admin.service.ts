import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { stateKeyTuple } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { EventReportRepository, type ReportFilter, type ReportRow } from './event-report.repository';

/** Synapse's admin API for event reports, so existing admin tools (synapse-admin) read ours. */
@Injectable()
export class ReportsAdminService {
  constructor(
    private readonly reports: EventReportRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /** GET /_synapse/admin/v1/event_reports */
  async list(filter: ReportFilter) {
    return this.tx.run(async (em) => {
      const { rows, total } = await this.reports.page(filter, em);
      const eventReports = [];
      for (const row of rows) eventReports.push(await this.describe(row, em));
      const next = filter.offset + rows.length;
      return { event_reports: eventReports, total, ...(next < total ? { next_token: next } : {}) };
    });
  }

  /** GET /_synapse/admin/v1/event_reports/{reportId}: the report, with the reported event as stored. */
  async get(id: number) {
    return this.tx.run(async (em) => {
      const row = await this.reports.find(id, em);
      if (!row) throw MatrixError.notFound('Event report not found');
      const event = row.event_id ? await this.events.find(row.event_id, em) : undefined;
      return { ...(await this.describe(row, em)), event_json: event ? event.event : null };
    });
  }

  /** DELETE /_synapse/admin/v1/event_reports/{reportId} */
  async delete(id: number): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.reports.delete(id, em))) throw MatrixError.notFound('Event report not found');
    });
  }

  private async describe(row: ReportRow, em: EntityManager) {
    const state = await this.state.currentState(row.room_id, em, [
      stateKeyTuple('m.room.name', ''),
      stateKeyTuple('m.room.canonical_alias', ''),
    ]);
    const name = state.get(stateKeyTuple('m.room.name', ''))?.content.name;
    const alias = state.get(stateKeyTuple('m.room.canonical_alias', ''))?.content.alias;
    const event = row.event_id ? await this.events.find(row.event_id, em) : undefined;
    return {
      id: Number(row.id),
      received_ts: Number(row.received_ts),
      room_id: row.room_id,
      name: typeof name === 'string' ? name : null,
      event_id: row.event_id,
      user_id: row.user_id,
      reason: row.reason,
      score: row.score,
      sender: event?.event.sender ?? null,
      canonical_alias: typeof alias === 'string' ? alias : null,
    };
  }
}
