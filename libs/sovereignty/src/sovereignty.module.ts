import { Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { AccountsModule } from '@hearth/accounts';
import { MediaModule } from '@hearth/media';
import { RoomsModule } from '@hearth/rooms';
import { AvailabilityPushPolicy } from './availability/availability-push-policy';
import { AvailabilityModule } from './availability/availability.module';
import { OffDutyStatus } from './availability/off-duty-status';
import { BackAtNotices } from './availability/back-at-notices';
import { BackAtNoticesRepository } from './availability/back-at-notices.repository';
import { ErasureRepository } from './erasure/erasure.repository';
import { ErasureService } from './erasure/erasure.service';
import { ExportModule } from './export/export.module';
import { EXPORT_QUEUE, exportQueueFor } from './export/export-queue';
import { UserExportRepository } from './export/user-export.repository';
import { UserExportsService } from './export/user-exports.service';

/** What a user may take away and have erased (issue 21): export, erasure, and the schedule a work account rests by. */
@Module({
  imports: [RoomsModule, AccountsModule, MediaModule, AvailabilityModule, ExportModule],
  providers: [
    { provide: EXPORT_QUEUE, inject: [HEARTH_CONFIG], useFactory: (config: HearthConfig) => exportQueueFor(config) },
    UserExportRepository,
    UserExportsService,
    ErasureRepository,
    ErasureService,
    AvailabilityPushPolicy,
    OffDutyStatus,
    BackAtNoticesRepository,
    BackAtNotices,
  ],
  exports: [
    UserExportsService,
    ErasureService,
    AvailabilityPushPolicy,
    OffDutyStatus,
    AvailabilityModule,
    ExportModule,
  ],
})
export class SovereigntyModule {}
