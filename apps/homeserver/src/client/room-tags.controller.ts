import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester, RoomTagsService } from '@hearth/accounts';
import { BodyLimit, CLIENT_DATA_BODY_BYTES } from '@hearth/http';

@Controller('_matrix/client/v3/user/:userId/rooms/:roomId/tags')
@UseGuards(AccessTokenGuard)
export class RoomTagsController {
  constructor(private readonly tags: RoomTagsService) {}

  /** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags */
  @Get()
  list(@Requester() who: Requester, @Param('userId') userId: string, @Param('roomId') roomId: string) {
    return this.tags.list(who.userId, userId, roomId);
  }

  /** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} */
  @Put(':tag')
  @BodyLimit(CLIENT_DATA_BODY_BYTES)
  async set(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Param('roomId') roomId: string,
    @Param('tag') tag: string,
    @Body() body: unknown,
  ) {
    await this.tags.set(who.userId, userId, roomId, tag, body);
    return {};
  }

  /** DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} */
  @Delete(':tag')
  async remove(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Param('roomId') roomId: string,
    @Param('tag') tag: string,
  ) {
    await this.tags.remove(who.userId, userId, roomId, tag);
    return {};
  }
}
