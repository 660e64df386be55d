import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationRequestError } from '@hearth/federation-client';
import {
  computeEventId,
  getRoomVersion,
  MembershipTemplateAnswer,
  SendLeaveAnswer,
  type JsonObject,
  type RoomEvent,
} from '@hearth/protocol';
import { FederatedRoomsService } from '@hearth/rooms';
import { ServerSigner } from '@hearth/signing';

/**
 * Spec SS API "Leaving Rooms (Rejecting Invites)": our user leaves a room this server is not in
 * (rejects an invite, withdraws a knock) through a server of the room, with make_leave and
 * send_leave v2; the leave is then stored here too.
 */
@Injectable()
export class RemoteLeaveService {
  constructor(
    private readonly rooms: FederatedRoomsService,
    private readonly client: FederationClient,
    private readonly signer: ServerSigner,
  ) {}

  /** Each server in turn until one takes the leave; the last failure is what the client hears. */
  async leave(roomId: string, userId: string, servers: readonly string[], reason: string | undefined): Promise<void> {
    let lastError: unknown;
    for (const server of servers) {
      try {
        return await this.leaveThrough(server, roomId, userId, reason);
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError instanceof MatrixError) throw lastError;
    if (lastError instanceof FederationRequestError && lastError.status < 500)
      throw MatrixError.forbidden(`The room's server refused the leave: ${lastError.message}`);
    throw new MatrixError(502, 'M_UNKNOWN', "The room's server could not be reached");
  }

  private async leaveThrough(
    server: string,
    roomId: string,
    userId: string,
    reason: string | undefined,
  ): Promise<void> {
    const template = await this.client.request(
      server,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/make_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`,
      },
      MembershipTemplateAnswer,
    );
    // Spec make_leave: without `room_version` the room is version 1 or 2, which share their event format.
    const version = getRoomVersion(template.room_version ?? '1');
    if (!version) throw new MatrixError(502, 'M_UNKNOWN', 'The room version is not supported here');
    const { signatures: _s, hashes: _h, unsigned: _u, ...rest } = template.event;
    if (rest.type !== 'm.room.member' || rest.state_key !== userId || rest.sender !== userId)
      throw new MatrixError(502, 'M_UNKNOWN', 'The leave template is for someone else');
    const content: JsonObject = { membership: 'leave', ...(reason !== undefined ? { reason } : {}) };
    const leave = this.signer.signEvent({ ...rest, origin_server_ts: Date.now(), content }, version);
    const eventId = computeEventId(leave, version);
    await this.client.request(
      server,
      {
        method: 'PUT',
        path: `/_matrix/federation/v2/send_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
        body: leave,
      },
      SendLeaveAnswer,
    );
    await this.rooms.storeOutOfRoomMembership(version, {
      ...(leave as unknown as Omit<RoomEvent, 'event_id'>),
      event_id: eventId,
      room_id: roomId,
    });
  }
}
