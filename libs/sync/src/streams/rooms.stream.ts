import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { projectRoomEvents } from '../filters/event-fields';
import { RoomsSectionBuilder } from '../sections/rooms-section';
import type { StreamContribution, SyncPass, SyncStream } from './sync-stream';

/** `rooms`: joined rooms with what moved in them (timeline, state, ephemeral, account data, counts), invites, knocks, rooms left. */
@Injectable()
export class RoomsStream implements SyncStream {
  constructor(private readonly section: RoomsSectionBuilder) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const { userId, deviceId, since, upTo, filter, fullState, membershipsFingerprint, roomAccountData, activityAhead } =
      pass;
    const rooms = await this.section.build(
      { userId, deviceId, since, upTo, filter, fullState, membershipsFingerprint, roomAccountData, activityAhead },
      em,
    );
    if (filter.event_fields) for (const part of [rooms.join, rooms.leave]) projectRoomEvents(part, filter.event_fields);
    pass.memberships = rooms.memberships;
    pass.activity = rooms.activity;
    response.rooms = { join: rooms.join, invite: rooms.invite, leave: rooms.leave, knock: rooms.knock };
    const moved = [rooms.join, rooms.invite, rooms.leave, rooms.knock].some((part) => Object.keys(part).length > 0);
    return { moved, watchedRooms: rooms.watched };
  }
}
