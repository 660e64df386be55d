import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MAX_HIERARCHY_DEPTH, MAX_HIERARCHY_LIMIT, SpaceHierarchyService } from '@hearth/federation';
import { MatrixError } from '@hearth/http';
import { isValidRoomId } from '@hearth/protocol';
import { booleanParam, integerParam } from '../../query-params';

@Controller('_matrix/client/v1/rooms')
@UseGuards(AccessTokenGuard)
export class SpaceHierarchyController {
  constructor(private readonly hierarchy: SpaceHierarchyService) {}

  /** GET /_matrix/client/v1/rooms/{roomId}/hierarchy */
  @Get(':roomId/hierarchy')
  walk(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Query('limit') limit?: string,
    @Query('max_depth') maxDepth?: string,
    @Query('suggested_only') suggestedOnly?: string,
    @Query('from') from?: string,
  ) {
    if (!isValidRoomId(roomId)) throw MatrixError.invalidParam('Not a room ID');
    return this.hierarchy.walk({
      userId: who.userId,
      roomId,
      limit: integerParam('limit', limit, { min: 1, max: MAX_HIERARCHY_LIMIT, fallback: 50 }),
      maxDepth: integerParam('max_depth', maxDepth, {
        min: 0,
        max: MAX_HIERARCHY_DEPTH,
        fallback: MAX_HIERARCHY_DEPTH,
      }),
      suggestedOnly: booleanParam('suggested_only', suggestedOnly, false),
      ...(from !== undefined ? { from } : {}),
    });
  }
}
