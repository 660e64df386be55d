import { Controller, Delete, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { OwnMediaService } from '@hearth/media';

/** Hearth's own API: a user lists and deletes what they uploaded (docs/media.md). */
@Controller('_hearth/client/v1/media')
@UseGuards(AccessTokenGuard)
export class OwnMediaController {
  constructor(private readonly ownMedia: OwnMediaService) {}

  /** GET /_hearth/client/v1/media?from=&limit= */
  @Get()
  list(@Requester() who: Requester, @Query('from') from: unknown, @Query('limit') limit: unknown) {
    return this.ownMedia.list(who.userId, from, limit);
  }

  /** DELETE /_hearth/client/v1/media/{mediaId} */
  @Delete(':mediaId')
  async delete(@Requester() who: Requester, @Param('mediaId') mediaId: string) {
    await this.ownMedia.delete(who.userId, mediaId);
    return {};
  }
}
