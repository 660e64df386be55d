import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { KeyBackupService, type BackupScope } from '@hearth/e2ee';
import { BodyLimit, BULK_BODY_BYTES } from '@hearth/http';

/** Spec CS API "Server-side key backups". */
@Controller('_matrix/client/v3/room_keys')
@UseGuards(AccessTokenGuard)
export class RoomKeysController {
  constructor(private readonly backup: KeyBackupService) {}

  /** POST /_matrix/client/v3/room_keys/version */
  @Post('version')
  @HttpCode(200)
  createVersion(@Requester() who: Requester, @Body() body: unknown) {
    return this.backup.createVersion(who.userId, body);
  }

  /** GET /_matrix/client/v3/room_keys/version */
  @Get('version')
  latest(@Requester() who: Requester) {
    return this.backup.version(who.userId);
  }

  /** GET /_matrix/client/v3/room_keys/version/{version} */
  @Get('version/:version')
  version(@Requester() who: Requester, @Param('version') version: string) {
    return this.backup.version(who.userId, version);
  }

  /** PUT /_matrix/client/v3/room_keys/version/{version} */
  @Put('version/:version')
  async updateVersion(@Requester() who: Requester, @Param('version') version: string, @Body() body: unknown) {
    await this.backup.updateVersion(who.userId, version, body);
    return {};
  }

  /** DELETE /_matrix/client/v3/room_keys/version/{version} */
  @Delete('version/:version')
  async deleteVersion(@Requester() who: Requester, @Param('version') version: string) {
    await this.backup.deleteVersion(who.userId, version);
    return {};
  }

  /** PUT /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]] */
  // Grows with the sessions uploaded at once (a whole backup, for some clients).
  @Put(['keys', 'keys/:roomId', 'keys/:roomId/:sessionId'])
  @BodyLimit(BULK_BODY_BYTES)
  putKeys(
    @Requester() who: Requester,
    @Query('version') version: string | undefined,
    @Param() scope: BackupScope,
    @Body() body: unknown,
  ) {
    return this.backup.putKeys(who.userId, version, scope, body);
  }

  /** GET /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]] */
  @Get(['keys', 'keys/:roomId', 'keys/:roomId/:sessionId'])
  getKeys(@Requester() who: Requester, @Query('version') version: string | undefined, @Param() scope: BackupScope) {
    return this.backup.getKeys(who.userId, version, scope);
  }

  /** DELETE /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]] */
  @Delete(['keys', 'keys/:roomId', 'keys/:roomId/:sessionId'])
  deleteKeys(@Requester() who: Requester, @Query('version') version: string | undefined, @Param() scope: BackupScope) {
    return this.backup.deleteKeys(who.userId, version, scope);
  }
}
