import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { TimestampToEventService } from '@hearth/federation';
import { timestampQuery } from '../../timestamp-query';

@Controller('_matrix/client/v1/rooms')
@UseGuards(AccessTokenGuard)
export class TimestampToEventController {
  constructor(private readonly timestamps: TimestampToEventService) {}

  /** GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event */
  @Get(':roomId/timestamp_to_event')
  find(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Query('ts') ts?: string,
    @Query('dir') dir?: string,
  ) {
    const query = timestampQuery(ts, dir);
    return this.timestamps.find(who.userId, roomId, query.ts, query.dir);
  }
}
