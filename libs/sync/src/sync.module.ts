import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { AccountDataService, AccountsModule } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { DeviceListsService, E2eeModule, ToDeviceService } from '@hearth/e2ee';
import { EventStream, PushRulesService, ReceiptsService, RoomsModule, RoomSyncService, TypingService } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { FilterRepository } from './filters/filter.repository';
import { FiltersService } from './filters/filters.service';
import { LocalSyncNotifier } from './notifier/local-sync-notifier';
import { RedisSyncNotifier } from './notifier/redis-sync-notifier';
import { roomKey, SyncNotifier, userKey } from './notifier/sync-notifier';
import { DeviceListsSectionBuilder } from './sections/device-lists-section';
import { RoomsSectionBuilder } from './sections/rooms-section';
import { AccountDataStream } from './streams/account-data.stream';
import { DeviceListsStream } from './streams/device-lists.stream';
import { KeyCountsStream } from './streams/key-counts.stream';
import { RoomsStream } from './streams/rooms.stream';
import { SYNC_STREAMS, type SyncStream } from './streams/sync-stream';
import { ToDeviceStream } from './streams/to-device.stream';
import { SyncService } from './sync.service';

/**
 * The streams of a /sync response, in the order they run: account data hands room account data
 * to rooms, rooms hands the memberships to device lists. A new stream is a file and a line here.
 */
const STREAMS = [ToDeviceStream, KeyCountsStream, AccountDataStream, RoomsStream, DeviceListsStream];

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
    FilterRepository,
    FiltersService,
    RoomsSectionBuilder,
    DeviceListsSectionBuilder,
    ...STREAMS,
    { provide: SYNC_STREAMS, useFactory: (...streams: SyncStream[]) => streams, inject: STREAMS },
    SyncService,
  ],
  exports: [SyncService, FiltersService, SyncNotifier],
})
export class SyncModule implements OnModuleInit {
  private readonly logger = new Logger(SyncModule.name);

  constructor(
    private readonly notifier: SyncNotifier,
    private readonly events: EventStream,
    private readonly typing: TypingService,
    private readonly receipts: ReceiptsService,
    private readonly accountData: AccountDataService,
    private readonly pushRules: PushRulesService,
    private readonly toDevice: ToDeviceService,
    private readonly deviceLists: DeviceListsService,
    private readonly roomSync: RoomSyncService,
    private readonly tx: TransactionRunner,
  ) {}

  /** Everything that can move a user's sync tells the notifier once it is committed. */
  onModuleInit(): void {
    this.events.onCommit((change) => this.notifier.notify([...[...change.roomIds].map(roomKey), ...[...change.userIds].map(userKey)]));
    this.typing.onChange((roomId) => this.notifier.notify([roomKey(roomId)]));
    this.receipts.onChange((roomId) => this.notifier.notify([roomKey(roomId)]));
    this.accountData.onChange((userId) => this.notifier.notify([userKey(userId)]));
    this.pushRules.onChange((userId) => this.notifier.notify([userKey(userId)]));
    this.toDevice.onDelivery((userIds) => this.notifier.notify(userIds.map(userKey)));
    // A user's device change concerns everyone who shares a room with them: wake those rooms.
    this.deviceLists.onChange((userId) => {
      void this.tx
        .read((em) => this.roomSync.memberships(userId, em))
        .then((memberships) => this.notifier.notify([userKey(userId), ...memberships.filter((m) => m.membership === 'join').map((m) => roomKey(m.roomId))]))
        .catch((error: unknown) => this.logger.warn(`Could not wake syncs for a device-list change: ${String(error)}`));
    });
  }
}
