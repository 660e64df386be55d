import { isValidUserId } from '../identifiers';
import type { RoomEvent } from '../room-event';
import { getRoomVersion, type RoomVersion } from '../room-versions';
import { AuthError } from './auth-error';
import { serverOf } from './room-state-access';

/** Rule 1: m.room.create. */
export function authorizeCreate(event: RoomEvent, version: RoomVersion): void {
  if (event.prev_events.length > 0) throw new AuthError('1.a', 'm.room.create must have no prev_events');
  if (!version.roomIdFromCreateEvent && serverOf(event.room_id) !== serverOf(event.sender)) {
    throw new AuthError('1.b', 'The room ID and the creator must be on the same server');
  }
  const roomVersion = event.content.room_version;
  if (roomVersion !== undefined && (typeof roomVersion !== 'string' || !getRoomVersion(roomVersion))) {
    throw new AuthError('1.c', 'Unknown room_version in m.room.create');
  }
  if (!version.implicitRoomCreator && typeof event.content.creator !== 'string')
    throw new AuthError('1.d', 'm.room.create needs a creator');
  const additional = event.content.additional_creators;
  if (version.creatorPrivileges && additional !== undefined) {
    if (!Array.isArray(additional) || additional.some((user) => typeof user !== 'string' || !isValidUserId(user))) {
      throw new AuthError('1.e', 'additional_creators must be a list of user IDs');
    }
  }
}
