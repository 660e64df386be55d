import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import { PublicRoomsService } from '@hearth/rooms';

const VisibilityBody = z.object({ visibility: z.enum(['public', 'private']) });
const SearchBody = z.object({
  limit: z.number().int().min(1).max(500).optional(),
  since: z.string().max(32).optional(),
  filter: z
    .object({
      generic_search_term: z.string().max(256).optional(),
      room_types: z.array(z.string().nullable()).optional(),
    })
    .optional(),
  server: z.string().optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().optional(),
});

/** The directory needs an access token: the list of rooms is for this server's users, not the world. */
@Controller('_matrix/client/v3')
export class PublicRoomsController {
  constructor(private readonly directory: PublicRoomsService) {}

  /** GET /_matrix/client/v3/publicRooms */
  @Get('publicRooms')
  @UseGuards(AccessTokenGuard)
  list(@Query('limit') limit?: string, @Query('since') since?: string) {
    const size = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(size) || size < 1) throw MatrixError.invalidParam('limit must be a positive integer');
    return this.directory.list({ limit: Math.min(size, 500), since });
  }

  /** POST /_matrix/client/v3/publicRooms */
  @Post('publicRooms')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  search(@Body(new ZodBodyPipe(SearchBody)) body: z.output<typeof SearchBody>) {
    return this.directory.list({
      limit: body.limit ?? 100,
      since: body.since,
      searchTerm: body.filter?.generic_search_term,
    });
  }

  /** GET /_matrix/client/v3/directory/list/room/{roomId} */
  @Get('directory/list/room/:roomId')
  visibility(@Param('roomId') roomId: string) {
    return this.directory.visibility(roomId);
  }

  /** PUT /_matrix/client/v3/directory/list/room/{roomId} */
  @Put('directory/list/room/:roomId')
  @UseGuards(AccessTokenGuard)
  async setVisibility(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(VisibilityBody)) body: z.output<typeof VisibilityBody>,
  ) {
    await this.directory.setVisibility(roomId, who.userId, who.isAdmin, body.visibility);
    return {};
  }
}
