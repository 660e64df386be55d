import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, ProfilesService, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import {
  MembershipService,
  RoomJoinService,
  RoomLeaveService,
  RoomMembersService,
  type MembershipChange,
} from '@hearth/rooms';

const ReasonBody = z.object({ reason: z.string().max(1024).optional() }).passthrough();
const TargetBody = z.object({ user_id: z.string().max(255), reason: z.string().max(1024).optional() });

@Controller('_matrix/client/v3')
@UseGuards(AccessTokenGuard)
export class MembershipController {
  constructor(
    private readonly membership: MembershipService,
    private readonly joins: RoomJoinService,
    private readonly leaves: RoomLeaveService,
    private readonly members: RoomMembersService,
    private readonly profiles: ProfilesService,
  ) {}

  /** POST /_matrix/client/v3/join/{roomIdOrAlias} */
  @Post('join/:roomIdOrAlias')
  @HttpCode(200)
  async join(
    @Requester() who: Requester,
    @Param('roomIdOrAlias') target: string,
    @Query('via') via?: string | string[],
    @Query('server_name') serverName?: string | string[],
    @Body(new ZodBodyPipe(ReasonBody.optional())) body?: z.output<typeof ReasonBody>,
  ) {
    return this.joins.join(
      target,
      who.userId,
      [...asList(via), ...asList(serverName)],
      await this.ownProfile(who),
      body?.reason,
    );
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/join */
  @Post('rooms/:roomId/join')
  @HttpCode(200)
  async joinRoom(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(ReasonBody.optional())) body?: z.output<typeof ReasonBody>,
  ) {
    return this.joins.join(roomId, who.userId, [], await this.ownProfile(who), body?.reason);
  }

  /** POST /_matrix/client/v3/knock/{roomIdOrAlias} */
  @Post('knock/:roomIdOrAlias')
  @HttpCode(200)
  async knock(
    @Requester() who: Requester,
    @Param('roomIdOrAlias') target: string,
    @Query('via') via?: string | string[],
    @Query('server_name') serverName?: string | string[],
    @Body(new ZodBodyPipe(ReasonBody.optional())) body?: z.output<typeof ReasonBody>,
  ) {
    return this.joins.knock(
      target,
      who.userId,
      [...asList(via), ...asList(serverName)],
      await this.ownProfile(who),
      body?.reason,
    );
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/leave */
  @Post('rooms/:roomId/leave')
  @HttpCode(200)
  async leave(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(ReasonBody.optional())) body?: z.output<typeof ReasonBody>,
  ) {
    await this.leaves.leave(roomId, who.userId, body?.reason);
    return {};
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/forget */
  @Post('rooms/:roomId/forget')
  @HttpCode(200)
  async forget(@Requester() who: Requester, @Param('roomId') roomId: string) {
    await this.membership.forget(roomId, who.userId);
    return {};
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/invite */
  @Post('rooms/:roomId/invite')
  @HttpCode(200)
  invite(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(TargetBody)) body: z.output<typeof TargetBody>,
  ) {
    return this.change('invite', who, roomId, body);
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/kick */
  @Post('rooms/:roomId/kick')
  @HttpCode(200)
  kick(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(TargetBody)) body: z.output<typeof TargetBody>,
  ) {
    return this.change('kick', who, roomId, body);
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/ban */
  @Post('rooms/:roomId/ban')
  @HttpCode(200)
  ban(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(TargetBody)) body: z.output<typeof TargetBody>,
  ) {
    return this.change('ban', who, roomId, body);
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/unban */
  @Post('rooms/:roomId/unban')
  @HttpCode(200)
  unban(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(TargetBody)) body: z.output<typeof TargetBody>,
  ) {
    return this.change('unban', who, roomId, body);
  }

  /** GET /_matrix/client/v3/joined_rooms */
  @Get('joined_rooms')
  async joinedRooms(@Requester() who: Requester) {
    return { joined_rooms: await this.membership.joinedRooms(who.userId) };
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/members */
  @Get('rooms/:roomId/members')
  async roomMembers(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Query('membership') membership?: string,
    @Query('not_membership') notMembership?: string,
    @Query('at') at?: string,
  ) {
    return { chunk: await this.members.members(roomId, who.userId, { membership, notMembership, at }) };
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/joined_members */
  @Get('rooms/:roomId/joined_members')
  async joinedMembers(@Requester() who: Requester, @Param('roomId') roomId: string) {
    return { joined: await this.members.joinedMembers(roomId, who.userId) };
  }

  private async change(action: MembershipChange, who: Requester, roomId: string, body: z.output<typeof TargetBody>) {
    await this.membership.change(action, roomId, who.userId, body.user_id, body.reason);
    return {};
  }

  private async ownProfile(who: Requester): Promise<JsonObject> {
    return (await this.profiles.get(who, who.userId).catch(() => ({}))) as JsonObject;
  }
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}
