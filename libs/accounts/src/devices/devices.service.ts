import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import type { EntityManager } from 'typeorm';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { TokensService, type IssuedTokens } from '../tokens/tokens.service';
import { coarseTime } from './coarse-time';
import type { DeviceEntity } from './device.entity';
import { DeviceRepository } from './device.repository';

export interface SessionStart {
  readonly userId: string;
  readonly deviceId?: string;
  readonly initialDisplayName?: string;
  readonly refreshable: boolean;
}

export interface StartedSession extends IssuedTokens {
  readonly user_id: string;
  readonly device_id: string;
}

@Injectable()
export class DevicesService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly tokens: TokensService,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /**
   * A login or registration: creates the device (or reuses the one named, revoking its earlier
   * tokens, as the spec requires) and issues its tokens.
   */
  async startSession(start: SessionStart, em: EntityManager, now = Date.now()): Promise<StartedSession> {
    const deviceId = start.deviceId ?? generateDeviceId();
    const existing = start.deviceId ? await this.devices.find(start.userId, deviceId, em) : null;
    if (existing) await this.tokens.revokeDevice(start.userId, deviceId, em);
    const seen = coarseTime(now, this.config.privacy.deviceLastSeenResolutionMs);
    await this.devices.upsert(
      {
        userId: start.userId,
        deviceId,
        displayName: start.initialDisplayName ?? null,
        createdTs: seen,
        lastSeenTs: seen,
      },
      em,
    );
    const issued = await this.tokens.issue(start.userId, deviceId, start.refreshable, em, now);
    return { user_id: start.userId, device_id: deviceId, ...issued };
  }

  list(userId: string): Promise<DeviceEntity[]> {
    return this.devices.listForUser(userId);
  }

  find(userId: string, deviceId: string): Promise<DeviceEntity | null> {
    return this.devices.find(userId, deviceId);
  }

  rename(userId: string, deviceId: string, displayName: string | null): Promise<boolean> {
    return this.devices.setDisplayName(userId, deviceId, displayName);
  }

  /** Deletes devices with their tokens; unknown IDs are ignored, as the spec allows. */
  async delete(userId: string, deviceIds: readonly string[], em: EntityManager): Promise<string[]> {
    const removed = await this.devices.delete(userId, deviceIds, em);
    if (removed.length > 0) this.announceRemoval(userId, em);
    return removed;
  }

  /** Logs out every device (or all but one) of a user, in the caller's transaction or its own. */
  async deleteAll(userId: string, em?: EntityManager, exceptDeviceId?: string): Promise<void> {
    const remove = async (own: EntityManager) => {
      await this.devices.deleteAllForUser(userId, own, exceptDeviceId);
      this.announceRemoval(userId, own);
    };
    await (em ? remove(em) : this.tx.run(remove));
  }

  /** Once committed, on the change bus (stream `devicesRemoved`): the device-list stream records the change. */
  private announceRemoval(userId: string, em: EntityManager): void {
    this.bus.publishAfterCommit(em, { stream: 'devicesRemoved', roomIds: [], userIds: [userId], userId });
  }
}

/** Ten upper-case letters, like other servers', so clients that show device IDs look familiar. */
function generateDeviceId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(10), (byte) => alphabet[byte % 26]).join('');
}

/**
 * Spec "Device": every key but device_id is optional, but matrix-nio rejects a device list whose
 * entries lack any of them, and Synapse always sends all four, null when unknown. We never keep
 * addresses (docs/accounts.md), so last_seen_ip is always null.
 */
export function toDeviceResponse(device: DeviceEntity) {
  return {
    device_id: device.deviceId,
    display_name: device.displayName,
    last_seen_ip: null,
    last_seen_ts: device.lastSeenTs,
  };
}
