export { E2eeModule } from './e2ee.module';
export type { ToDeviceMessage } from './to-device/to-device.repository';
export { ToDeviceService } from './to-device/to-device.service';
export { KeysService, type KeysQueryAnswer } from './keys/keys.service';
export { CrossSigningService } from './cross-signing/cross-signing.service';
export { DeviceListsService, type DeviceChange } from './device-lists/device-lists.service';
export { NO_FEDERATION_E2EE, REMOTE_E2EE, type RemoteE2ee } from './federation/remote-e2ee';
export { KeyBackupService, type BackupScope } from './key-backup/key-backup.service';
export { KEY_COUNTS_SQL, parseKeyCounts, type KeyCounts } from './keys/device-keys.repository';
