import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, ProfilesService, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { RoomCreationService } from '@hearth/rooms';

const jsonObject = z.record(z.string(), z.unknown()).transform((value) => value as JsonObject);

const CreateRoomBody = z.object({
  visibility: z.enum(['public', 'private']).optional(),
  preset: z.enum(['private_chat', 'trusted_private_chat', 'public_chat']).optional(),
  name: z.string().max(255).optional(),
  topic: z.string().max(4096).optional(),
  room_alias_name: z.string().max(200).optional(),
  invite: z.array(z.string().max(255)).max(100).optional(),
  invite_3pid: z.array(z.unknown()).max(0, 'This server has no third-party identifiers to invite').optional(),
  initial_state: z
    .array(
      z.object({ type: z.string().min(1).max(255), state_key: z.string().max(255).optional(), content: jsonObject }),
    )
    .max(100)
    .optional(),
  power_level_content_override: jsonObject.optional(),
  creation_content: jsonObject.optional(),
  is_direct: z.boolean().optional(),
  room_version: z.string().max(32).optional(),
});

@Controller('_matrix/client/v3')
@UseGuards(AccessTokenGuard)
export class CreateRoomController {
  constructor(
    private readonly creation: RoomCreationService,
    private readonly profiles: ProfilesService,
  ) {}

  /** POST /_matrix/client/v3/createRoom */
  @Post('createRoom')
  @HttpCode(200)
  async createRoom(
    @Requester() who: Requester,
    @Body(new ZodBodyPipe(CreateRoomBody)) body: z.output<typeof CreateRoomBody>,
  ) {
    const profile = await this.profiles.get(who, who.userId).catch(() => ({}));
    return this.creation.create(
      who.userId,
      {
        visibility: body.visibility,
        preset: body.preset,
        name: body.name,
        topic: body.topic,
        roomAliasName: body.room_alias_name,
        invite: body.invite,
        initialState: body.initial_state,
        powerLevelContentOverride: body.power_level_content_override,
        creationContent: body.creation_content,
        isDirect: body.is_direct,
        roomVersion: body.room_version,
      },
      profile as JsonObject,
    );
  }
}
