import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { E2eeModule } from '@hearth/e2ee';
import { RoomsModule } from '@hearth/rooms';
import { PostgresNotifications } from '@hearth/storage';
import { FilterRepository } from './filters/filter.repository';
import { FiltersService } from './filters/filters.service';
import { LocalSyncNotifier } from './notifier/local-sync-notifier';
import { RedisSyncNotifier } from './notifier/redis-sync-notifier';
import { SyncNotifier } from './notifier/sync-notifier';
import { SyncWakeUps } from './notifier/sync-wake-ups';
import { DeviceListsSectionBuilder } from './sections/device-lists-section';
import { RoomsSectionBuilder } from './sections/rooms-section';
import { AccountDataStream } from './streams/account-data.stream';
import { DeviceListsStream } from './streams/device-lists.stream';
import { KeyCountsStream } from './streams/key-counts.stream';
import { PresenceStream } from './streams/presence.stream';
import { RoomsStream } from './streams/rooms.stream';
import { SYNC_STREAMS, type SyncStream } from './streams/sync-stream';
import { ToDeviceStream } from './streams/to-device.stream';
import { ConnectionRepository } from './sliding/connection.repository';
import { AccountDataExtension } from './sliding/extensions/account-data.extension';
import { E2eeExtension } from './sliding/extensions/e2ee.extension';
import { ReceiptsExtension } from './sliding/extensions/receipts.extension';
import { SlidingExtensions } from './sliding/extensions/sliding-extensions';
import { ToDeviceExtension } from './sliding/extensions/to-device.extension';
import { TypingExtension } from './sliding/extensions/typing.extension';
import { RoomFactsReader } from './sliding/room-facts';
import { RoomResultsBuilder } from './sliding/room-results';
import { SlidingSyncService } from './sliding/sliding-sync.service';
import { SyncPositions } from './sync-positions';
import { SyncService } from './sync.service';

/** Simplified sliding sync (MSC4186): one connection store, the room results, one class per extension. */
const SLIDING = [
  ConnectionRepository,
  RoomFactsReader,
  RoomResultsBuilder,
  ToDeviceExtension,
  E2eeExtension,
  AccountDataExtension,
  ReceiptsExtension,
  TypingExtension,
  SlidingExtensions,
  SlidingSyncService,
];

/**
 * The streams of a /sync response, in the order they run: account data hands room account data
 * to rooms, rooms hands the memberships to device lists. A new stream is a file and a line here.
 */
const STREAMS = [ToDeviceStream, KeyCountsStream, AccountDataStream, RoomsStream, DeviceListsStream, PresenceStream];

/** With REDIS_URL, notifications travel between processes; without, they stay in this one. */
async function createNotifier(config: HearthConfig, postgres: PostgresNotifications): Promise<SyncNotifier> {
  if (!config.redisUrl) return new LocalSyncNotifier();
  const notifier = new RedisSyncNotifier(config.redisUrl, postgres);
  await notifier.start();
  return notifier;
}

@Module({
  imports: [AccountsModule, RoomsModule, E2eeModule],
  providers: [
    { provide: SyncNotifier, useFactory: createNotifier, inject: [HEARTH_CONFIG, PostgresNotifications] },
    SyncWakeUps,
    FilterRepository,
    FiltersService,
    RoomsSectionBuilder,
    DeviceListsSectionBuilder,
    ...STREAMS,
    { provide: SYNC_STREAMS, useFactory: (...streams: SyncStream[]) => streams, inject: STREAMS },
    SyncPositions,
    SyncService,
    ...SLIDING,
  ],
  exports: [SyncService, SlidingSyncService, FiltersService, SyncNotifier],
})
export class SyncModule {}
