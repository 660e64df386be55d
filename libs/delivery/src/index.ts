export { DeliveryModule } from './delivery.module';
export { DeliveryService } from './outbox/delivery.service';
export { DestinationsAdminService, type DestinationView } from './destinations/destinations-admin.service';
export { InProcessDeliveryQueue } from './queue/in-process-queue';
export { BullMqDeliveryQueue } from './queue/bullmq-queue';
export type { DeliveryQueue, DestinationHandler } from './queue/delivery-queue';
export { PushersService } from './push/pushers.service';
export { PushDeliveryService } from './push/push-delivery.service';
export { PUSH_POLICY, PUSH_EVERYTHING, type PushPolicy } from './push/push-policy';
