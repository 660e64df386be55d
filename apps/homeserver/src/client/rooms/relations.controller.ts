import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { RelationsService } from '@hearth/rooms';

@Controller('_matrix/client/v1/rooms/:roomId')
@UseGuards(AccessTokenGuard)
export class RelationsController {
  constructor(private readonly relations: RelationsService) {}

  /** GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]] */
  @Get(['relations/:eventId', 'relations/:eventId/:relType', 'relations/:eventId/:relType/:eventType'])
  relationsOf(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Param('relType') relType?: string,
    @Param('eventType') eventType?: string,
    @Query('from') from?: string,
    @Query('dir') dir?: string,
    @Query('limit') limit?: string,
  ) {
    if (dir !== undefined && dir !== 'b' && dir !== 'f') throw MatrixError.invalidParam('dir must be b or f');
    return this.relations.relationsOf(roomId, who, eventId, {
      relType,
      eventType,
      from,
      dir: dir ?? 'b',
      limit: pageSize(limit),
    });
  }

  /** GET /_matrix/client/v1/rooms/{roomId}/threads */
  @Get('threads')
  threads(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Query('include') include?: string,
    @Query('from') from?: string,
    @Query('limit') limit?: string,
  ) {
    if (include !== undefined && include !== 'all' && include !== 'participated')
      throw MatrixError.invalidParam('include must be all or participated');
    return this.relations.threads(roomId, who, { include: include ?? 'all', from, limit: pageSize(limit) });
  }
}

function pageSize(limit: string | undefined): number {
  if (limit === undefined) return 50;
  const size = Number(limit);
  if (!Number.isInteger(size) || size < 1) throw MatrixError.invalidParam('limit must be a positive integer');
  return Math.min(size, 1000);
}
