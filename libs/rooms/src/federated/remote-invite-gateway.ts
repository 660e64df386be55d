import { Injectable } from '@nestjs/common';
import type { JsonObject, RoomEvent, RoomVersion } from '@hearth/protocol';
import { MatrixError } from '@hearth/http';

export type InviteCountersigner = (invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]) => Promise<RoomEvent>;

/**
 * Spec SS API "Inviting to a room": an invite for a user of another server is sent to that server
 * before it is stored, and comes back with its signature. Federation plugs the sending in here,
 * so the rooms module needs no network.
 */
@Injectable()
export class RemoteInviteGateway {
  private countersigner: InviteCountersigner | undefined;

  register(countersigner: InviteCountersigner): void {
    this.countersigner = countersigner;
  }

  countersign(invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent> {
    if (!this.countersigner) return Promise.reject(MatrixError.forbidden('Inviting users of other servers needs federation'));
    return this.countersigner(invite, version, inviteRoomState);
  }
}
