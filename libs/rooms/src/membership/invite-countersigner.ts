import type { JsonObject, RoomEvent, RoomVersion } from '@hearth/protocol';
import { MatrixError } from '@hearth/http';

/**
 * Port: who has the invitee's server countersign an invite (federation; spec SS API "Inviting to
 * a room"), so the rooms module needs no network. Bound in the app module.
 */
export const INVITE_COUNTERSIGNER = Symbol('INVITE_COUNTERSIGNER');

export interface InviteCountersigner {
  /** The invite with the invitee's server's signature added; throws a MatrixError when it refuses or cannot be reached. */
  countersign(invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent>;
}

/** For a composition without federation (the CLI's admin context): users of other servers cannot be invited. */
export const NO_FEDERATION_INVITES: InviteCountersigner = {
  countersign: () => Promise.reject(MatrixError.forbidden('Inviting users of other servers needs federation')),
};
