import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenGuard } from '@hearth/accounts';
import {
  DownloadService,
  LegacyMediaGate,
  sendMedia,
  ThumbnailService,
  thumbnailRequest,
  uploadFileName,
  UploadLimits,
  waitFrom,
} from '@hearth/media';

/**
 * The deprecated /_matrix/media/v3 reads, for clients that predate authenticated media. Downloads
 * and thumbnails need no access token, so they answer only when the operator unfroze them
 * (`media.legacy_unauthenticated_media`). Their remote fetching (`allow_remote`) comes with federation media.
 */
@Controller('_matrix/media/v3')
export class LegacyMediaController {
  constructor(
    private readonly gate: LegacyMediaGate,
    private readonly downloads: DownloadService,
    private readonly thumbnails: ThumbnailService,
    private readonly limits: UploadLimits,
  ) {}

  /**
   * GET /_matrix/media/v3/config: served whatever the freeze, as it always needed an access token
   * and tells nothing but the upload limit, which clients still using v3/upload want to know.
   */
  @Get('config')
  @UseGuards(AccessTokenGuard)
  config() {
    return { 'm.upload.size': this.limits.maxUploadBytes };
  }

  /** GET /_matrix/media/v3/download/{serverName}/{mediaId} */
  @Get('download/:serverName/:mediaId')
  async download(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
  ) {
    this.gate.checkServed();
    await sendMedia(
      request,
      reply,
      await this.downloads.download(serverName, mediaId, { timeoutMs: waitFrom(request.query) }),
    );
  }

  /** GET /_matrix/media/v3/download/{serverName}/{mediaId}/{fileName} */
  @Get('download/:serverName/:mediaId/:fileName')
  async downloadAs(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
    @Param('fileName') fileName: string,
  ) {
    this.gate.checkServed();
    const options = { timeoutMs: waitFrom(request.query), fileName: uploadFileName(fileName) ?? undefined };
    await sendMedia(request, reply, await this.downloads.download(serverName, mediaId, options));
  }

  /** GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} */
  @Get('thumbnail/:serverName/:mediaId')
  async thumbnail(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
    @Query() query: unknown,
  ) {
    this.gate.checkServed();
    const asked = { ...thumbnailRequest(query), timeoutMs: waitFrom(query) };
    await sendMedia(request, reply, await this.thumbnails.thumbnail(serverName, mediaId, asked));
  }
}
