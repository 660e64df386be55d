import { Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationClientModule } from '@hearth/federation-client';
import { DestinationRepository } from './destinations/destination.repository';
import { DestinationSender } from './destinations/destination-sender';
import { DestinationsAdminService } from './destinations/destinations-admin.service';
import { DeliveryService } from './outbox/delivery.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { BullMqDeliveryQueue } from './queue/bullmq-queue';
import { DELIVERY_QUEUE } from './queue/delivery-queue';
import { InProcessDeliveryQueue } from './queue/in-process-queue';
import { BullMqPeriodicJobs } from './queue/bullmq-periodic-jobs';
import { InProcessPeriodicJobs } from './queue/in-process-periodic-jobs';
import { PERIODIC_JOBS } from './queue/periodic-jobs';

/** One queue per homeserver: deployments (and test servers) may share a Redis. */
const queueName = (config: HearthConfig, use: string) =>
  `hearth-${use}-${config.serverName.replace(/[^A-Za-z0-9.-]/g, '_')}`;

/**
 * Outbound federation delivery: BullMQ on Redis when `REDIS_URL` is set, in-process otherwise;
 * transactions go out through the federation client, never back through libs/federation.
 */
@Module({
  imports: [FederationClientModule],
  providers: [
    {
      provide: DELIVERY_QUEUE,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) =>
        config.redisUrl
          ? new BullMqDeliveryQueue(config.redisUrl, queueName(config, 'delivery'))
          : new InProcessDeliveryQueue(),
    },
    {
      provide: PERIODIC_JOBS,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) =>
        config.redisUrl
          ? new BullMqPeriodicJobs(config.redisUrl, queueName(config, 'periodic'))
          : new InProcessPeriodicJobs(),
    },
    OutboxRepository,
    DestinationRepository,
    DestinationSender,
    DeliveryService,
    DestinationsAdminService,
  ],
  exports: [DeliveryService, DestinationsAdminService, PERIODIC_JOBS],
})
export class DeliveryModule {}
