export { SovereigntyModule } from './sovereignty.module';
export { UserExportsService } from './export/user-exports.service';
export type { ExportView } from './export/export-view';
export { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from './export/export-format';
export { ErasureService } from './erasure/erasure.service';
export { AvailabilityPushPolicy } from './availability/availability-push-policy';
export { AVAILABILITY_TYPE, parseAvailability, type AvailabilitySchedule } from './availability/availability-schedule';
export { isOnDuty } from './availability/on-duty';
