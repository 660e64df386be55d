import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { DeviceListsService } from './device-lists/device-lists.service';
import { CrossSigningRepository } from './cross-signing/cross-signing.repository';
import { CrossSigningService } from './cross-signing/cross-signing.service';
import { KeyBackupRepository } from './key-backup/key-backup.repository';
import { KeyBackupService } from './key-backup/key-backup.service';
import { DeviceKeysRepository } from './keys/device-keys.repository';
import { KeysService } from './keys/keys.service';
import { ToDeviceRepository } from './to-device/to-device.repository';
import { ToDeviceService } from './to-device/to-device.service';

/** End-to-end encryption support: send-to-device messaging, device, one-time and fallback keys, device lists; other servers' users through the `REMOTE_E2EE` port (bound in the app module). */
@Module({
  imports: [AccountsModule],
  providers: [
    KeyBackupRepository,
    KeyBackupService,
    CrossSigningRepository,
    CrossSigningService,
    ToDeviceRepository,
    ToDeviceService,
    DeviceKeysRepository,
    KeysService,
    DeviceListsService,
  ],
  exports: [KeyBackupService, CrossSigningService, ToDeviceService, KeysService, DeviceListsService],
})
export class E2eeModule {}
