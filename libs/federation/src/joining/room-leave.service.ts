import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationRequestError } from '@hearth/federation-client';
import {
  computeEventId,
  getRoomVersion,
  isJsonObject,
  isValidUserId,
  MembershipTemplateAnswer,
  parseUserId,
  SendLeaveAnswer,
  type JsonObject,
  type RoomEvent,
} from '@hearth/protocol';
import { FederatedRoomsService, MembershipService } from '@hearth/rooms';
import { ServerSigner } from '@hearth/signing';

/**
 * Spec CS API `POST /rooms/{roomId}/leave`: a local leave when this server is in the room;
 * rejecting an invite (or withdrawing a knock) to a room it is not in goes through a server of
 * the room with make_leave and send_leave v2 (spec SS API "Leaving Rooms (Rejecting Invites)").
 */
@Injectable()
export class RoomLeaveService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly membership: MembershipService,
    private readonly rooms: FederatedRoomsService,
    private readonly client: FederationClient,
    private readonly signer: ServerSigner,
  ) {}

  async leave(roomId: string, userId: string, reason?: string): Promise<void> {
    if (await this.rooms.isServerJoined(roomId, this.config.serverName))
      return this.membership.leave(roomId, userId, reason);
    const current = await this.rooms.membershipEvent(roomId, userId);
    const membership = current?.content.membership;
    if (!current || (membership !== 'invite' && membership !== 'knock'))
      return this.membership.leave(roomId, userId, reason);
    const servers = residentServers(current).filter((server) => server !== this.config.serverName);
    if (servers.length === 0) return this.membership.leave(roomId, userId, reason);
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

/**
 * Where to send the leave: for an invite, the inviter's server; for a knock (which our user
 * sent), the servers its stripped state points at: the room creator's, then the room ID's.
 */
function residentServers(membership: RoomEvent): string[] {
  if (membership.content.membership === 'invite') return [parseUserId(membership.sender).serverName];
  const state = membership.unsigned?.knock_room_state;
  const create = Array.isArray(state)
    ? state.find((item) => isJsonObject(item) && item.type === 'm.room.create')
    : undefined;
  const creator =
    isJsonObject(create) && typeof create.sender === 'string' && isValidUserId(create.sender)
      ? [parseUserId(create.sender).serverName]
      : [];
  const colon = membership.room_id.indexOf(':');
  return [...new Set([...creator, ...(colon < 0 ? [] : [membership.room_id.slice(colon + 1)])])];
}
