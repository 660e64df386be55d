import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DevicesService } from '@hearth/accounts';
import { TransactionRunner } from '@hearth/storage';

/**
 * Whose device lists changed, as a stream (spec "Tracking the device list for a user"): a new
 * device's keys, or devices removed. Positions come from the `device_lists` counter row, so they
 * become visible in order.
 */
@Injectable()
export class DeviceListsService implements OnModuleInit {
  private readonly logger = new Logger(DeviceListsService.name);
  private readonly listeners: Array<(userId: string) => void> = [];

  constructor(
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    // After the removal committed: a failure here loses only the notice and leaves keys of gone
    // devices behind (nobody is served them: queries list existing devices only); it is logged.
    this.devices.onDevicesRemoved((userId) => {
      this.forgetRemovedDevices(userId).catch((error: unknown) => this.logger.warn(`Could not record a device-list change: ${String(error)}`));
    });
  }

  /** Records the change and drops what removed devices left: their keys and undelivered messages. */
  private async forgetRemovedDevices(userId: string): Promise<void> {
    const remaining = (await this.devices.list(userId)).map((device) => device.deviceId);
    await this.tx.run(async (em) => {
      for (const table of ['device_keys', 'one_time_keys', 'fallback_keys', 'device_inbox']) {
        await em.query(`DELETE FROM ${table} WHERE user_id = $1 AND device_id <> ALL($2::text[])`, [userId, remaining]);
      }
      await this.recordChange(userId, em);
    });
  }

  /** Listeners hear, after commit, whose device list changed (the sync notifier is one). */
  onChange(listener: (userId: string) => void): void {
    this.listeners.push(listener);
  }

  async recordChange(userId: string, em: EntityManager): Promise<void> {
    await em.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'device_lists' RETURNING position)
       INSERT INTO device_list_changes (user_id, stream_id) SELECT $1, position FROM counter`,
      [userId],
    );
    this.tx.afterCommit(em, () => {
      for (const listener of this.listeners) listener(userId);
    });
  }

  /** Users whose device lists changed in (since, upTo]. */
  async changedBetween(since: number, upTo: number, em: EntityManager): Promise<Set<string>> {
    const rows: Array<{ user_id: string }> = await em.query('SELECT DISTINCT user_id FROM device_list_changes WHERE stream_id > $1 AND stream_id <= $2', [since, upTo]);
    return new Set(rows.map((row) => row.user_id));
  }
}
