import { Injectable } from '@nestjs/common';
import { getRoomVersion, splitStateKeyTuple, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { toClientEvent } from '../events/client-event';
import { decodePageToken } from '../messages/page-token';
import { roomErrors } from '../room-errors';
import { EventRepository } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';

export interface MemberFilter {
  readonly membership?: string;
  readonly notMembership?: string;
  /** A pagination token: the members as they were at that point. */
  readonly at?: string;
}

@Injectable()
export class RoomMembersService {
  constructor(
    private readonly state: StateRepository,
    private readonly events: EventRepository,
    private readonly rooms: RoomRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /** GET /members: member events of the current state (members) or at the user's leave (former members). */
  async members(roomId: string, userId: string, filter: MemberFilter): Promise<JsonObject[]> {
    return this.tx.run(async (em) => {
      const membership = await this.state.membership(roomId, userId, em);
      const room = await this.rooms.find(roomId, em);
      const version = room && getRoomVersion(room.roomVersion);
      if (!version || (membership !== 'join' && membership !== 'leave' && membership !== 'ban'))
        throw roomErrors.notInRoom();
      let ids = await this.state.currentStateIds(roomId, em);
      if (filter.at !== undefined) {
        const group = await this.events.stateGroupAtPosition(roomId, decodePageToken(filter.at), em);
        ids = group === null ? new Map<string, string>() : await this.state.loadGroup(group, em);
      }
      if (membership !== 'join') {
        const own = await this.state.currentStateEventId(roomId, 'm.room.member', userId, em);
        const group = own === undefined ? null : await this.events.stateGroupAfter(own, em);
        if (group === null || group === undefined) throw roomErrors.notInRoom();
        ids = await this.state.loadGroup(group, em);
      }
      const memberIds = [...ids]
        .filter(([tuple]) => splitStateKeyTuple(tuple).type === 'm.room.member')
        .map(([, id]) => id);
      const loaded = await this.events.findMany(memberIds, em);
      return [...loaded.values()]
        .filter(({ event }) => {
          const m = event.content.membership;
          return (
            (filter.membership === undefined || m === filter.membership) &&
            (filter.notMembership === undefined || m !== filter.notMembership)
          );
        })
        .map((stored) => toClientEvent(stored, version));
    });
  }

  /** GET /joined_members: joined users with their display names and avatars. */
  async joinedMembers(
    roomId: string,
    userId: string,
  ): Promise<Record<string, { display_name?: string; avatar_url?: string }>> {
    const joined = await this.members(roomId, userId, { membership: 'join' });
    return Object.fromEntries(
      joined.map((event) => {
        const content = event.content as JsonObject;
        return [
          event.state_key as string,
          {
            ...(typeof content.displayname === 'string' ? { display_name: content.displayname } : {}),
            ...(typeof content.avatar_url === 'string' ? { avatar_url: content.avatar_url } : {}),
          },
        ];
      }),
    );
  }
}
