import { Body, Controller, Get, Inject, Param, Put, Query, UseGuards } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { InvalidPduError, PduVerifier } from '@hearth/federation';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { BodyLimit, EVENT_BODY_BYTES, MatrixError } from '@hearth/http';
import { z } from 'zod';
import {
  isValidUserId,
  parseUserId,
  toPdu,
  type JsonObject,
  type MembershipTemplateAnswer,
  type RoomEvent,
  type RoomVersion,
  type SendJoinAnswer,
  type SendKnockAnswer,
  type SendLeaveAnswer,
} from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { FederatedRoomsService, type RemoteMembership } from '@hearth/rooms';

/** A restricted join names the user whose invite power lets it in; read before the event is verified. */
const AuthorisedJoin = z.looseObject({ content: z.looseObject({ join_authorised_via_users_server: z.string() }) });

/** Spec SS API "Joining Rooms" and "Leaving Rooms (Rejecting Invites)", the resident server's side. */
@Controller('_matrix/federation')
@UseGuards(FederationAuthGuard)
export class FederationMembershipController {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rooms: FederatedRoomsService,
    private readonly verifier: PduVerifier,
    private readonly signer: ServerSigner,
  ) {}

  /** GET /_matrix/federation/v1/make_join/{roomId}/{userId} */
  @Get('v1/make_join/:roomId/:userId')
  async makeJoin(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('userId') userId: string,
    @Query('ver') ver?: string | string[],
  ): Promise<z.input<typeof MembershipTemplateAnswer>> {
    const template = await this.template(origin, roomId, userId, 'join');
    // Spec: without `ver` the joining server speaks only room version 1.
    const supported = ver === undefined ? ['1'] : typeof ver === 'string' ? [ver] : ver;
    if (!supported.includes(template.roomVersion)) {
      throw new MatrixError(
        400,
        'M_INCOMPATIBLE_ROOM_VERSION',
        'Your server does not support the version of this room',
        { room_version: template.roomVersion },
      );
    }
    return { room_version: template.roomVersion, event: template.event };
  }

  /** PUT /_matrix/federation/v2/send_join/{roomId}/{eventId} */
  @Put('v2/send_join/:roomId/:eventId')
  @BodyLimit(EVENT_BODY_BYTES)
  async sendJoin(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Body() body: unknown,
  ): Promise<z.input<typeof SendJoinAnswer>> {
    const { event, version } = await this.membershipEvent(origin, roomId, eventId, body, 'join');
    const { state, authChain } = await this.rooms.acceptMembership(event);
    return {
      origin: this.config.serverName,
      state: state.map((e) => toPdu(e, version.roomIdFromCreateEvent)),
      auth_chain: authChain.map((e) => toPdu(e, version.roomIdFromCreateEvent)),
      event: toPdu(event, version.roomIdFromCreateEvent),
      members_omitted: false,
      servers_in_room: await this.rooms.serversInRoom(roomId),
    };
  }

  /** GET /_matrix/federation/v1/make_knock/{roomId}/{userId} */
  @Get('v1/make_knock/:roomId/:userId')
  async makeKnock(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('userId') userId: string,
    @Query('ver') ver?: string | string[],
  ): Promise<z.input<typeof MembershipTemplateAnswer>> {
    const template = await this.template(origin, roomId, userId, 'knock');
    const supported = ver === undefined ? [] : typeof ver === 'string' ? [ver] : ver;
    if (!supported.includes(template.roomVersion)) {
      throw new MatrixError(
        400,
        'M_INCOMPATIBLE_ROOM_VERSION',
        'Your server does not support the version of this room',
        { room_version: template.roomVersion },
      );
    }
    return { room_version: template.roomVersion, event: template.event };
  }

  /** PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId} */
  @Put('v1/send_knock/:roomId/:eventId')
  @BodyLimit(EVENT_BODY_BYTES)
  async sendKnock(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Body() body: unknown,
  ): Promise<z.input<typeof SendKnockAnswer>> {
    const { event } = await this.membershipEvent(origin, roomId, eventId, body, 'knock');
    await this.rooms.acceptMembership(event);
    return { knock_room_state: await this.rooms.strippedState(roomId) };
  }

  /** GET /_matrix/federation/v1/make_leave/{roomId}/{userId} */
  @Get('v1/make_leave/:roomId/:userId')
  async makeLeave(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('userId') userId: string,
  ): Promise<z.input<typeof MembershipTemplateAnswer>> {
    const template = await this.template(origin, roomId, userId, 'leave');
    return { room_version: template.roomVersion, event: template.event };
  }

  /** PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId} */
  @Put('v2/send_leave/:roomId/:eventId')
  @BodyLimit(EVENT_BODY_BYTES)
  async sendLeave(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Body() body: unknown,
  ): Promise<z.input<typeof SendLeaveAnswer>> {
    const { event } = await this.membershipEvent(origin, roomId, eventId, body, 'leave');
    await this.rooms.acceptMembership(event);
    return {};
  }

  private template(origin: string, roomId: string, userId: string, membership: RemoteMembership) {
    if (!isValidUserId(userId)) throw MatrixError.invalidParam('Invalid user ID');
    if (parseUserId(userId).serverName !== origin)
      throw MatrixError.forbidden('A server can only ask for its own users');
    return this.rooms.membershipTemplate(roomId, userId, membership);
  }

  /** Spec: a restricted join that names one of our users as authoriser gets our signature too. */
  private vouchedFor(body: unknown, version: RoomVersion): unknown {
    const via = AuthorisedJoin.safeParse(body).data?.content.join_authorised_via_users_server;
    return via !== undefined && isValidUserId(via) && parseUserId(via).serverName === this.config.serverName
      ? this.signer.countersignEvent(body as JsonObject, version)
      : body;
  }

  /** The signed membership event a remote server sends back: checked before the rooms module sees it. */
  private async membershipEvent(
    origin: string,
    roomId: string,
    eventId: string,
    body: unknown,
    membership: RemoteMembership,
  ): Promise<{ event: RoomEvent; version: RoomVersion }> {
    const version = await this.rooms.roomVersion(roomId);
    if (!version) throw MatrixError.notFound('Unknown room');
    let event: RoomEvent;
    try {
      event = await this.verifier.verify(this.vouchedFor(body, version), version, roomId);
    } catch (error) {
      if (error instanceof InvalidPduError) throw MatrixError.badJson(error.message);
      throw error;
    }
    if (event.event_id !== eventId) throw MatrixError.badJson('The event ID does not match the event');
    if (event.type !== 'm.room.member' || event.state_key !== event.sender || event.content.membership !== membership) {
      throw MatrixError.badJson(`Expected the sender's own ${membership} event`);
    }
    if (parseUserId(event.sender).serverName !== origin)
      throw MatrixError.forbidden('A server can only send its own users’ membership');
    return { event, version };
  }
}
