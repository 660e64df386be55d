export { DeliveryModule } from './delivery.module';
export { DeliveryService } from './outbox/delivery.service';
export { DestinationsAdminService, type DestinationView } from './destinations/destinations-admin.service';
export { InProcessDeliveryQueue } from './queue/in-process-queue';
export { BullMqDeliveryQueue } from './queue/bullmq-queue';
export type { DeliveryQueue, DestinationHandler } from './queue/delivery-queue';
export { PERIODIC_JOBS, type PeriodicJob, type PeriodicJobs } from './queue/periodic-jobs';
