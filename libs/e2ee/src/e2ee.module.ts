import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { DeviceListsService } from './device-lists/device-lists.service';
import { DeviceKeysRepository } from './keys/device-keys.repository';
import { KeysService } from './keys/keys.service';
import { ToDeviceRepository } from './to-device/to-device.repository';
import { ToDeviceService } from './to-device/to-device.service';

/** End-to-end encryption support; so far for local users: send-to-device messaging, device, one-time and fallback keys. */
@Module({
  imports: [AccountsModule],
  providers: [ToDeviceRepository, ToDeviceService, DeviceKeysRepository, KeysService, DeviceListsService],
  exports: [ToDeviceService, KeysService, DeviceListsService],
})
export class E2eeModule {}
