import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DevicesService } from '@hearth/accounts';
import { ChangeBus, TransactionRunner, type DeviceChange, queryRows } from '@hearth/storage';

export type { DeviceChange } from '@hearth/storage';

/**
 * Whose device lists changed, as a stream (spec "Tracking the device list for a user"): a new
 * device's keys, or devices removed. Positions come from the `device_lists` counter row, so they
 * become visible in order. Each change is published on the change bus (stream `deviceLists`) once
 * committed: sync wakes the user and the rooms they share, federation tells the other servers.
 */
@Injectable()
export class DeviceListsService implements OnModuleInit {
  constructor(
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
  ) {}

  onModuleInit(): void {
    // After the removal committed: a failure here loses only the notice and leaves keys of gone
    // devices behind (nobody is served them: queries list existing devices only); the bus logs it.
    this.bus.subscribe(['devicesRemoved'], 'DeviceListsService (forgetting removed devices)', ({ userId }) =>
      this.forgetRemovedDevices(userId),
    );
  }

  /** Records the change and drops what removed devices left: their keys and undelivered messages. */
  private async forgetRemovedDevices(userId: string): Promise<void> {
    const remaining = (await this.devices.list(userId)).map((device) => device.deviceId);
    await this.tx.run(async (em) => {
      // TypeORM answers a DELETE ... RETURNING as [rows, count]; queryRows gives the rows.
      const removed = await queryRows<{ device_id: string }>(
        em,
        'DELETE FROM device_keys WHERE user_id = $1 AND device_id <> ALL($2::text[]) RETURNING device_id',
        [userId, remaining],
      );
      for (const table of ['one_time_keys', 'fallback_keys', 'device_inbox']) {
        await em.query(`DELETE FROM ${table} WHERE user_id = $1 AND device_id <> ALL($2::text[])`, [userId, remaining]);
      }
      await this.recordChange(
        userId,
        em,
        removed.map((row) => ({ deviceId: row.device_id, deleted: true })),
      );
    });
  }

  /** A user's device list changed: a local device got keys or went, or another server told us of a change. */
  async recordChange(userId: string, em: EntityManager, changes: readonly DeviceChange[] = []): Promise<void> {
    const rows: Array<{ position: string }> = await em.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'device_lists' RETURNING position)
       INSERT INTO device_list_changes (user_id, stream_id) SELECT $1, position FROM counter RETURNING stream_id AS position`,
      [userId],
    );
    const streamId = Number(rows[0]?.position ?? 0);
    const devices = changes.map((change) => ({ ...change, streamId }));
    this.bus.publishAfterCommit(em, {
      stream: 'deviceLists',
      position: streamId,
      roomIds: [],
      userIds: [userId],
      userId,
      devices,
    });
  }

  /** Spec SS API `m.device_list_update` from the user's own server: our users who share a room with them hear of it in sync. */
  async recordRemoteChange(userId: string): Promise<void> {
    await this.tx.run((em) => this.recordChange(userId, em));
  }

  /** The newest position of a user's device-list changes (the `stream_id` other servers see), 0 if none. */
  async positionOf(userId: string): Promise<number> {
    const rows: Array<{ position: string | null }> = await this.tx.read((em) =>
      em.query('SELECT max(stream_id) AS position FROM device_list_changes WHERE user_id = $1', [userId]),
    );
    return Number(rows[0]?.position ?? 0);
  }

  /** Users whose device lists changed in (since, upTo]. */
  async changedBetween(since: number, upTo: number, em: EntityManager): Promise<Set<string>> {
    const rows: Array<{ user_id: string }> = await em.query(
      'SELECT DISTINCT user_id FROM device_list_changes WHERE stream_id > $1 AND stream_id <= $2',
      [since, upTo],
    );
    return new Set(rows.map((row) => row.user_id));
  }
}
