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
import { RoomsModule } from '@hearth/rooms';
import { AccountsModule } from '@hearth/accounts';
import { BadgeUpdates } from './push/badge-updates';
import { GoneDevicePushers } from './push/gone-device-pushers';
import { GatewayClient } from './push/gateway-client';
import { PushDeliveryService } from './push/push-delivery.service';
import { PushFeed } from './push/push-feed.service';
import { PushOutboxRepository } from './push/push-outbox.repository';
import { PUSH_EVERYTHING, PUSH_POLICY } from './push/push-policy';
import { PUSH_QUEUE } from './push/push-queue';
import { PushSender } from './push/push-sender';
import { PusherRepository } from './push/pusher.repository';
import { PushersService } from './push/pushers.service';

/** One queue per homeserver and purpose: deployments (and test servers) may share a Redis. */
function queueFor(purpose: 'delivery' | 'push', config: HearthConfig) {
  return config.redisUrl
    ? new BullMqDeliveryQueue(config.redisUrl, queueName(purpose, config))
    : new InProcessDeliveryQueue();
}

function queueName(purpose: 'delivery' | 'push' | 'periodic', config: HearthConfig): string {
  return `hearth-${purpose}-${config.serverName.replace(/[^A-Za-z0-9.-]/g, '_')}`;
}

/**
 * Everything outbound, on BullMQ on Redis when `REDIS_URL` is set, in-process otherwise: federation
 * transactions through the federation client (never back through libs/federation), and push
 * notifications to users' push gateways (docs/push.md), each with its own queue.
 */
@Module({
  imports: [FederationClientModule, RoomsModule, AccountsModule],
  providers: [
    {
      provide: DELIVERY_QUEUE,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) => queueFor('delivery', config),
    },
    { provide: PUSH_QUEUE, inject: [HEARTH_CONFIG], useFactory: (config: HearthConfig) => queueFor('push', config) },
    // The one check before a notification is enqueued; an off-hours schedule binds its own here.
    { provide: PUSH_POLICY, useValue: PUSH_EVERYTHING },
    {
      provide: PERIODIC_JOBS,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) =>
        config.redisUrl
          ? new BullMqPeriodicJobs(config.redisUrl, queueName('periodic', config))
          : new InProcessPeriodicJobs(),
    },
    OutboxRepository,
    DestinationRepository,
    DestinationSender,
    DeliveryService,
    DestinationsAdminService,
    PusherRepository,
    PushOutboxRepository,
    GatewayClient,
    PushFeed,
    BadgeUpdates,
    GoneDevicePushers,
    PushSender,
    PushDeliveryService,
    PushersService,
  ],
  exports: [DeliveryService, DestinationsAdminService, PushersService, PushDeliveryService, PERIODIC_JOBS],
})
export class DeliveryModule {}
