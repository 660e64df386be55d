import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { SyncService } from '@hearth/sync';

@Controller('_matrix/client/v3/keys/changes')
@UseGuards(AccessTokenGuard)
export class KeyChangesController {
  constructor(private readonly sync: SyncService) {}

  /** GET /_matrix/client/v3/keys/changes */
  @Get()
  changes(@Requester() who: Requester, @Query('from') from?: string, @Query('to') to?: string) {
    if (from === undefined || to === undefined) throw MatrixError.missingParam('from and to are required');
    return this.sync.keyChanges(who.userId, from, to);
  }
}
