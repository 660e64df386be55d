import { Controller, Delete, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AdminGuard } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { ReportsAdminService } from '@hearth/rooms';
import { integerParam } from '../query-params';

/** Synapse's event reports admin API. */
@Controller('_synapse/admin/v1/event_reports')
@UseGuards(AdminGuard)
export class AdminEventReportsController {
  constructor(private readonly reports: ReportsAdminService) {}

  /** GET /_synapse/admin/v1/event_reports */
  @Get()
  list(
    @Query('from') from?: string,
    @Query('limit') limit?: string,
    @Query('dir') dir?: string,
    @Query('user_id') userId?: string,
    @Query('room_id') roomId?: string,
  ) {
    if (dir !== undefined && dir !== 'b' && dir !== 'f') throw MatrixError.invalidParam('dir must be b or f');
    return this.reports.list({
      offset: integerParam('from', from, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      limit: integerParam('limit', limit, { min: 0, max: 1000, fallback: 100 }),
      newestFirst: dir !== 'f',
      ...(userId !== undefined ? { userId } : {}),
      ...(roomId !== undefined ? { roomId } : {}),
    });
  }

  /** GET /_synapse/admin/v1/event_reports/{reportId} */
  @Get(':reportId')
  get(@Param('reportId') reportId: string) {
    return this.reports.get(reportIdOf(reportId));
  }

  /** DELETE /_synapse/admin/v1/event_reports/{reportId} */
  @Delete(':reportId')
  async delete(@Param('reportId') reportId: string) {
    await this.reports.delete(reportIdOf(reportId));
    return {};
  }
}

function reportIdOf(text: string): number {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw MatrixError.invalidParam('The report ID must be a positive integer');
  return id;
}
