import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RoomSyncReader } from '@hearth/rooms';
import type { SyncToken } from './sync-token';

/** Where every stream stands now for one user, and the fingerprint of their memberships then. */
export interface SyncStart {
  readonly upTo: SyncToken;
  readonly membershipsFingerprint: string;
}

/** Where every stream stands now, for one user: what a sync reads up to. */
@Injectable()
export class SyncPositions {
  constructor(private readonly rooms: RoomSyncReader) {}

  async current(userId: string, em: EntityManager): Promise<SyncStart> {
    const typing = this.rooms.typingPosition;
    // One statement: a wake-up starts here.
    const head = await this.rooms.syncHead(userId, em);
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
    return { upTo, membershipsFingerprint: head.membershipsFingerprint };
  }
}
