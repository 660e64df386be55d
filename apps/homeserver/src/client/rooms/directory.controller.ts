import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { AliasResolver } from '@hearth/federation';
import { ZodBodyPipe } from '@hearth/http';
import { RoomAliasesService } from '@hearth/rooms';

const AliasBody = z.object({ room_id: z.string().max(255) });

/** Resolving an alias needs no access token (clients do it before login, as the spec says); changing one does. */
@Controller('_matrix/client/v3')
export class DirectoryController {
  constructor(
    private readonly aliases: RoomAliasesService,
    private readonly resolver: AliasResolver,
  ) {}

  /** GET /_matrix/client/v3/directory/room/{roomAlias} */
  @Get('directory/room/:roomAlias')
  resolve(@Param('roomAlias') alias: string) {
    return this.resolver.resolve(alias);
  }

  /** PUT /_matrix/client/v3/directory/room/{roomAlias} */
  @Put('directory/room/:roomAlias')
  @UseGuards(AccessTokenGuard)
  async create(
    @Requester() who: Requester,
    @Param('roomAlias') alias: string,
    @Body(new ZodBodyPipe(AliasBody)) body: z.output<typeof AliasBody>,
  ) {
    await this.aliases.create(alias, body.room_id, who.userId);
    return {};
  }

  /** DELETE /_matrix/client/v3/directory/room/{roomAlias} */
  @Delete('directory/room/:roomAlias')
  @UseGuards(AccessTokenGuard)
  async delete(@Requester() who: Requester, @Param('roomAlias') alias: string) {
    await this.aliases.delete(alias, who.userId, who.isAdmin);
    return {};
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/aliases */
  @Get('rooms/:roomId/aliases')
  @UseGuards(AccessTokenGuard)
  async roomAliases(@Requester() who: Requester, @Param('roomId') roomId: string) {
    return { aliases: await this.aliases.forRoom(roomId, who.userId) };
  }
}
