import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { DeviceKeysRepository } from './keys/device-keys.repository';
import { KeysService } from './keys/keys.service';
import { ToDeviceRepository } from './to-device/to-device.repository';
import { ToDeviceService } from './to-device/to-device.service';

/** End-to-end encryption support; so far for local users: send-to-device messaging, device, one-time and fallback keys. */
@Module({
  imports: [AccountsModule],
  providers: [ToDeviceRepository, ToDeviceService, DeviceKeysRepository, KeysService],
  exports: [ToDeviceService, KeysService],
})
export class E2eeModule {}
