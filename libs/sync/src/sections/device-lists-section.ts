import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeviceListsService } from '@hearth/e2ee';
import { RoomSyncReader, type MembershipRow, type RoomActivity } from '@hearth/rooms';
import type { SyncToken } from '../sync-token';

export interface DeviceListsRequest {
  readonly userId: string;
  readonly since: SyncToken;
  readonly upTo: SyncToken;
  /** The user's memberships now. */
  readonly memberships: readonly MembershipRow[];
  /** What moved in those rooms in the window, when the caller read it already. */
  readonly activity?: RoomActivity;
}

/**
 * Spec "Tracking the device list for a user": `changed` holds users who share a room with the
 * user and whose devices changed since the token, and users the user has newly come to share a
 * room with; `left` holds users the user shares no room with any more.
 */
@Injectable()
export class DeviceListsSectionBuilder {
  constructor(
    private readonly rooms: RoomSyncReader,
    private readonly deviceLists: DeviceListsService,
  ) {}

  async build(request: DeviceListsRequest, em: EntityManager): Promise<{ changed: string[]; left: string[] }> {
    const { userId, since, upTo } = request;
    // Only streams that moved past the token are read; with nothing moved, nobody is shared with anew.
    const devicesChanged =
      upTo.deviceLists > since.deviceLists
        ? await this.deviceLists.changedBetween(since.deviceLists, upTo.deviceLists, em)
        : new Set<string>();
    const roomsNow = request.memberships.map((m) => m.roomId);
    const membershipChanges =
      upTo.events <= since.events
        ? []
        : (request.activity?.membershipChanges ??
          (await this.rooms.membershipChanges(roomsNow, since.events, upTo.events, em)));
    // Rooms the user left since the token: their members, unless still met elsewhere.
    const leftRooms = request.memberships
      .filter((m) => (m.membership === 'leave' || m.membership === 'ban') && m.position > since.events)
      .map((m) => m.roomId);
    if (devicesChanged.size === 0 && membershipChanges.length === 0 && leftRooms.length === 0)
      return { changed: [], left: [] };

    const sharing = await this.rooms.usersSharingRooms(userId, em);
    const changed = new Set([...devicesChanged].filter((user) => user === userId || sharing.has(user)));
    const left = new Set<string>();
    for (const change of membershipChanges) {
      if (change.membership === 'join' && sharing.has(change.userId)) changed.add(change.userId);
      if ((change.membership === 'leave' || change.membership === 'ban') && !sharing.has(change.userId))
        left.add(change.userId);
    }
    for (const members of (await this.rooms.joinedMembers(leftRooms, em)).values())
      for (const member of members) if (!sharing.has(member)) left.add(member);
    left.delete(userId);
    for (const user of left) changed.delete(user);
    return { changed: [...changed].sort(), left: [...left].sort() };
  }
}
