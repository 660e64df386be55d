import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminGuard, AdminUsersService, Requester } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { MediaAdminService, userMediaOrder } from '@hearth/media';
import { isValidRoomId } from '@hearth/protocol';
import { booleanParam, integerParam } from '../query-params';

/** Synapse's media admin API (docs/admin_api/media_admin_api.md), so existing admin tools work. */
@Controller('_synapse/admin/v1')
@UseGuards(AdminGuard)
export class AdminMediaController {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly media: MediaAdminService,
    private readonly users: AdminUsersService,
  ) {}

  /** GET /_synapse/admin/v1/users/{userId}/media */
  @Get('users/:userId/media')
  async list(
    @Param('userId') userId: string,
    @Query('from') from?: string,
    @Query('limit') limit?: string,
    @Query('order_by') orderBy?: string,
    @Query('dir') dir?: string,
  ) {
    const order = userMediaOrder(orderBy, dir);
    const page = {
      offset: integerParam('from', from, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      limit: integerParam('limit', limit, { min: 0, max: 1000, fallback: 100 }),
    };
    await this.checkLocalUser(userId);
    return this.media.listUserMedia(userId, order, page);
  }

  /** DELETE /_synapse/admin/v1/users/{userId}/media */
  @Delete('users/:userId/media')
  async deleteUserMedia(
    @Param('userId') userId: string,
    @Query('limit') limit?: string,
    @Query('order_by') orderBy?: string,
    @Query('dir') dir?: string,
  ) {
    const order = userMediaOrder(orderBy, dir);
    const count = integerParam('limit', limit, { min: 0, max: 1000, fallback: 100 });
    await this.checkLocalUser(userId);
    return this.media.deleteUserMedia(userId, order, count);
  }

  /** DELETE /_synapse/admin/v1/media/{serverName}/{mediaId} */
  @Delete('media/:serverName/:mediaId')
  deleteOne(@Param('serverName') serverName: string, @Param('mediaId') mediaId: string) {
    if (serverName !== this.config.serverName) throw MatrixError.invalidParam('Can only delete local media');
    return this.media.deleteOne(serverName, mediaId);
  }

  /** POST /_synapse/admin/v1/media/delete?before_ts=&size_gt=&keep_profiles= */
  @Post('media/delete')
  @HttpCode(200)
  deleteBefore(
    @Query('before_ts') beforeTs?: string,
    @Query('size_gt') sizeGt?: string,
    @Query('keep_profiles') keepProfiles?: string,
  ) {
    if (beforeTs === undefined) throw MatrixError.missingParam('Missing integer query parameter "before_ts"');
    return this.media.deleteCreatedBefore(
      integerParam('before_ts', beforeTs, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      integerParam('size_gt', sizeGt, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      booleanParam('keep_profiles', keepProfiles, true),
    );
  }

  /** POST /_synapse/admin/v1/purge_media_cache?before_ts= */
  @Post('purge_media_cache')
  @HttpCode(200)
  async purgeRemoteCache(@Query('before_ts') beforeTs?: string) {
    if (beforeTs === undefined) throw MatrixError.missingParam('Missing integer query parameter "before_ts"');
    const before = integerParam('before_ts', beforeTs, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    return { deleted: await this.media.purgeRemoteCache(before) };
  }

  /** POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId} */
  @Post('media/quarantine/:serverName/:mediaId')
  @HttpCode(200)
  async quarantine(@Requester() who: Requester, @Param('serverName') server: string, @Param('mediaId') id: string) {
    await this.media.setQuarantine(server, id, who.userId);
    return {};
  }

  /** POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId} */
  @Post('media/unquarantine/:serverName/:mediaId')
  @HttpCode(200)
  async unquarantine(@Param('serverName') server: string, @Param('mediaId') id: string) {
    await this.media.setQuarantine(server, id, null);
    return {};
  }

  /** POST /_synapse/admin/v1/room/{roomId}/media/quarantine */
  @Post('room/:roomId/media/quarantine')
  @HttpCode(200)
  async quarantineRoom(@Requester() who: Requester, @Param('roomId') roomId: string) {
    if (!isValidRoomId(roomId)) throw MatrixError.invalidParam('Invalid room ID');
    return { num_quarantined: await this.media.quarantineRoomMedia(roomId, who.userId) };
  }

  /** POST /_synapse/admin/v1/user/{userId}/media/quarantine */
  @Post('user/:userId/media/quarantine')
  @HttpCode(200)
  async quarantineUser(@Requester() who: Requester, @Param('userId') userId: string) {
    await this.checkLocalUser(userId);
    return { num_quarantined: await this.media.quarantineUserMedia(userId, who.userId) };
  }

  /** Synapse: 400 for another server's user, 404 for one of ours that does not exist. */
  private async checkLocalUser(userId: string): Promise<void> {
    if (!userId.endsWith(`:${this.config.serverName}`)) throw MatrixError.invalidParam('Can only look up local users');
    await this.users.get(userId);
  }
}
