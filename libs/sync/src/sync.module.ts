import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { E2eeModule } from '@hearth/e2ee';
import { RoomsModule } from '@hearth/rooms';
import { FilterRepository } from './filters/filter.repository';
import { FiltersService } from './filters/filters.service';
import { LocalSyncNotifier } from './notifier/local-sync-notifier';
import { RedisSyncNotifier } from './notifier/redis-sync-notifier';
import { SyncNotifier } from './notifier/sync-notifier';
import { SyncWakeUps } from './notifier/sync-wake-ups';
import { DeviceListsSectionBuilder } from './sections/device-lists-section';
import { RoomsSectionBuilder } from './sections/rooms-section';
import { SyncService } from './sync.service';

/** With REDIS_URL, notifications travel between processes; without, they stay in this one. */
async function createNotifier(config: HearthConfig): Promise<SyncNotifier> {
  if (!config.redisUrl) return new LocalSyncNotifier();
  const notifier = new RedisSyncNotifier(config.redisUrl);
  await notifier.start();
  return notifier;
}

@Module({
  imports: [AccountsModule, RoomsModule, E2eeModule],
  providers: [
    { provide: SyncNotifier, useFactory: createNotifier, inject: [HEARTH_CONFIG] },
    SyncWakeUps,
    FilterRepository,
    FiltersService,
    RoomsSectionBuilder,
    DeviceListsSectionBuilder,
    SyncService,
  ],
  exports: [SyncService, FiltersService, SyncNotifier],
})
export class SyncModule {}
