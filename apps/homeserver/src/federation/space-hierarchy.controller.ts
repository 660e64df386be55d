import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { MatrixError } from '@hearth/http';
import { isValidRoomId } from '@hearth/protocol';
import { PeerHierarchyService } from '@hearth/rooms';
import { booleanParam } from '../query-params';

@Controller('_matrix/federation/v1/hierarchy')
@UseGuards(FederationAuthGuard)
export class FederationSpaceHierarchyController {
  constructor(private readonly hierarchy: PeerHierarchyService) {}

  /** GET /_matrix/federation/v1/hierarchy/{roomId} */
  @Get(':roomId')
  answer(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Query('suggested_only') suggestedOnly?: string,
  ) {
    if (!isValidRoomId(roomId)) throw MatrixError.notFound('Unknown room');
    return this.hierarchy.answer(roomId, origin, booleanParam('suggested_only', suggestedOnly, false));
  }
}
