import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { ToDeviceRepository } from './to-device/to-device.repository';
import { ToDeviceService } from './to-device/to-device.service';

/** End-to-end encryption support; so far, send-to-device messaging between local devices. */
@Module({
  imports: [AccountsModule],
  providers: [ToDeviceRepository, ToDeviceService],
  exports: [ToDeviceService],
})
export class E2eeModule {}
