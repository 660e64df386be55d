export { E2eeModule } from './e2ee.module';
export type { ToDeviceMessage } from './to-device/to-device.repository';
export { ToDeviceService } from './to-device/to-device.service';
export { KeysService } from './keys/keys.service';
export { DeviceListsService } from './device-lists/device-lists.service';
