import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DevicesService } from '@hearth/accounts';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { PusherRepository } from './pusher.repository';

/**
 * A pusher goes with the device that set it: once a device is logged out or deleted (stream
 * `devicesRemoved`), the phone behind it is no longer the user's session and must not be woken
 * for their messages (Synapse ties pushers to access tokens the same way). This covers a session
 * signed out from elsewhere, whose app never got to delete its pusher, and deactivation.
 */
@Injectable()
export class GoneDevicePushers implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GoneDevicePushers.name);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly devices: DevicesService,
    private readonly pushers: PusherRepository,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(['devicesRemoved'], GoneDevicePushers.name, ({ userId }) =>
      this.removeFor(userId),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async removeFor(userId: string): Promise<void> {
    const remaining = (await this.devices.list(userId)).map((device) => device.deviceId);
    const removed = await this.tx.read((em) => this.pushers.deleteForGoneDevices(userId, remaining, em));
    if (removed > 0) this.logger.debug(`removed ${removed} pusher(s) of devices that were logged out`);
  }
}
