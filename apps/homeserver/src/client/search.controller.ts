import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MessageSearchService, parseSearchRequest } from '@hearth/rooms';

@Controller('_matrix/client/v3')
@UseGuards(AccessTokenGuard)
export class SearchController {
  constructor(private readonly search: MessageSearchService) {}

  /** POST /_matrix/client/v3/search */
  @Post('search')
  @HttpCode(200)
  async searchRoomEvents(@Requester() who: Requester, @Body() body: unknown, @Query('next_batch') nextBatch?: string) {
    const query = parseSearchRequest(body);
    if (!query) return { search_categories: {} };
    const roomEvents = await this.search.roomEvents({ userId: who.userId, deviceId: who.deviceId }, query, nextBatch);
    return { search_categories: { room_events: roomEvents } };
  }
}
