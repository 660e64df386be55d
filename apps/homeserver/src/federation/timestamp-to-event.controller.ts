import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { MatrixError } from '@hearth/http';
import { EventByTimestampService } from '@hearth/rooms';
import { timestampQuery } from '../timestamp-query';

@Controller('_matrix/federation/v1/timestamp_to_event')
@UseGuards(FederationAuthGuard)
export class FederationTimestampToEventController {
  constructor(private readonly timestamps: EventByTimestampService) {}

  /** GET /_matrix/federation/v1/timestamp_to_event/{roomId} */
  @Get(':roomId')
  async find(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Query('ts') ts?: string,
    @Query('dir') dir?: string,
  ) {
    const query = timestampQuery(ts, dir);
    const found = await this.timestamps.forServer(origin, roomId, query.ts, query.dir);
    if (!found) throw MatrixError.notFound('No event found that side of the time');
    return found;
  }
}
