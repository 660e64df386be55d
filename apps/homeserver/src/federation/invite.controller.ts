import { Body, Controller, Param, Put, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { InvalidPduError, PduVerifier } from '@hearth/federation';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import {
  getRoomVersion,
  InviteRequest,
  parseUserId,
  SUPPORTED_ROOM_VERSIONS,
  toPdu,
  type InviteAnswer,
  type RoomEvent,
} from '@hearth/protocol';
import { FederatedRoomsService } from '@hearth/rooms';
import { ServerSigner } from '@hearth/signing';

@Controller('_matrix/federation/v2')
@UseGuards(FederationAuthGuard)
export class FederationInviteController {
  constructor(
    private readonly rooms: FederatedRoomsService,
    private readonly verifier: PduVerifier,
    private readonly signer: ServerSigner,
  ) {}

  /** PUT /_matrix/federation/v2/invite/{roomId}/{eventId} */
  @Put('invite/:roomId/:eventId')
  async invite(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Body(new ZodBodyPipe(InviteRequest)) body: z.output<typeof InviteRequest>,
  ): Promise<z.input<typeof InviteAnswer>> {
    const version = getRoomVersion(body.room_version);
    if (!version || !SUPPORTED_ROOM_VERSIONS.includes(version.id)) {
      throw new MatrixError(400, 'M_INCOMPATIBLE_ROOM_VERSION', 'This server does not support the room version', {
        room_version: body.room_version,
      });
    }
    let event: RoomEvent;
    try {
      event = await this.verifier.verify(body.event, version, roomId);
    } catch (error) {
      if (error instanceof InvalidPduError) throw MatrixError.badJson(error.message);
      throw error;
    }
    if (event.event_id !== eventId) throw MatrixError.badJson('The event ID does not match the event');
    if (event.type !== 'm.room.member' || event.content.membership !== 'invite' || event.state_key === undefined)
      throw MatrixError.badJson('Not an invite');
    if (parseUserId(event.sender).serverName !== origin)
      throw MatrixError.forbidden('A server can only send its own users’ invites');
    if (parseUserId(event.state_key).serverName !== this.signer.serverName)
      throw MatrixError.forbidden('The invitee is not on this server');
    const signed = this.signer.countersignEvent(toPdu(event, version.roomIdFromCreateEvent), version);
    if (!(await this.rooms.isServerJoined(roomId, this.signer.serverName))) {
      await this.rooms.storeRemoteInvite(
        version,
        { ...event, signatures: signed.signatures as RoomEvent['signatures'] },
        body.invite_room_state,
      );
    }
    return { event: signed };
  }
}
