export { FiltersService } from './filters/filters.service';
export { LocalSyncNotifier } from './notifier/local-sync-notifier';
export { SyncNotifier } from './notifier/sync-notifier';
export { SyncModule } from './sync.module';
export { SyncService, type SyncRequest } from './sync.service';
export { decodeSyncToken, encodeSyncToken, type SyncToken } from './sync-token';
export { SlidingSyncService } from './sliding/sliding-sync.service';
export { parseSlidingRequest } from './sliding/sliding-request';
