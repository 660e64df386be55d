import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KEY_COUNTS_SQL, parseKeyCounts, type KeyCounts } from '@hearth/e2ee';
import { RoomSyncReader, type SyncHeadExtras } from '@hearth/rooms';
import type { SyncToken } from './sync-token';

/** Where every stream stands now for one user, and the fingerprint of their memberships then. */
export interface SyncStart {
  readonly upTo: SyncToken;
  readonly membershipsFingerprint: string;
  /** The device's key counts, when asked for with its ID: read in the same statement. */
  readonly keyCounts?: KeyCounts;
}

const KEY_COUNTS = 'key_counts';
const KEY_COUNTS_EXTRAS: SyncHeadExtras = new Map([[KEY_COUNTS, KEY_COUNTS_SQL]]);

/** Where every stream stands now, for one user: what a sync reads up to. */
@Injectable()
export class SyncPositions {
  constructor(private readonly rooms: RoomSyncReader) {}

  /**
   * One statement: a wake-up starts here. Given the device, the statement also reads its key
   * counts, which every /sync answer carries, so that a woken sync spends no statement on them.
   */
  async current(userId: string, em: EntityManager, deviceId?: string): Promise<SyncStart> {
    const typing = this.rooms.typingPosition;
    const head =
      deviceId === undefined
        ? await this.rooms.syncHead({ userId }, em)
        : await this.rooms.syncHead({ userId, deviceId }, em, KEY_COUNTS_EXTRAS);
    const { positions } = head;
    const upTo: SyncToken = {
      events: positions.get('events') ?? 0,
      accountData: positions.get('account_data') ?? 0,
      receipts: positions.get('receipts') ?? 0,
      typing,
      pushRules: head.pushRulesVersion,
      toDevice: positions.get('to_device') ?? 0,
      deviceLists: positions.get('device_lists') ?? 0,
      presence: positions.get('presence') ?? 0,
    };
    const keyCounts = deviceId === undefined ? undefined : parseKeyCounts(head.extras.get(KEY_COUNTS) ?? null);
    return { upTo, membershipsFingerprint: head.membershipsFingerprint, ...(keyCounts ? { keyCounts } : {}) };
  }
}
