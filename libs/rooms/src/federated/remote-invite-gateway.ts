import { Inject, Injectable } from '@nestjs/common';
import type { JsonObject, RoomEvent, RoomVersion } from '@hearth/protocol';
import { MatrixError } from '@hearth/http';

/** Port: who has the invitee's server countersign an invite (federation). Bound in the app module. */
export const INVITE_COUNTERSIGNER = Symbol('INVITE_COUNTERSIGNER');

export interface InviteCountersigner {
  /** The invite with the invitee's server's signature added; throws a MatrixError when it refuses or cannot be reached. */
  countersign(invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent>;
}

/** For a composition without federation (the CLI's admin context): users of other servers cannot be invited. */
export const NO_FEDERATION_INVITES: InviteCountersigner = {
  countersign: () => Promise.reject(MatrixError.forbidden('Inviting users of other servers needs federation')),
};

/**
 * Spec SS API "Inviting to a room": an invite for a user of another server is sent to that server
 * before it is stored, and comes back with its signature. The countersigner port does the sending,
 * so the rooms module needs no network.
 */
@Injectable()
export class RemoteInviteGateway {
  constructor(@Inject(INVITE_COUNTERSIGNER) private readonly countersigner: InviteCountersigner) {}

  countersign(invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent> {
    return this.countersigner.countersign(invite, version, inviteRoomState);
  }
}
