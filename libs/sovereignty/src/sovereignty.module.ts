import { Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { RoomsModule } from '@hearth/rooms';
import { ExportBuilder } from './export/export-builder';
import { EXPORT_QUEUE, exportQueueFor } from './export/export-queue';
import { UserExportRepository } from './export/user-export.repository';
import { UserExportsService } from './export/user-exports.service';
import { UserRowsRepository } from './export/user-rows.repository';

/** What a user may take away and have erased (issue 21): export for now. */
@Module({
  imports: [RoomsModule],
  providers: [
    { provide: EXPORT_QUEUE, inject: [HEARTH_CONFIG], useFactory: (config: HearthConfig) => exportQueueFor(config) },
    UserExportRepository,
    UserRowsRepository,
    ExportBuilder,
    UserExportsService,
  ],
  exports: [UserExportsService],
})
export class SovereigntyModule {}
