import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenGuard } from '@hearth/accounts';
import { LegacyMediaGate, MediaReads, UploadLimits, UrlPreviewService } from '@hearth/media';
import type { MediaPath } from './media-download.controller';

/**
 * The deprecated /_matrix/media/v3 reads, for clients that predate authenticated media. Downloads
 * and thumbnails need no access token, so they answer only when the operator unfroze them
 * (`media.legacy_unauthenticated_media`). Their remote fetching (`allow_remote`) comes with federation media.
 */
@Controller('_matrix/media/v3')
export class LegacyMediaController {
  constructor(
    private readonly gate: LegacyMediaGate,
    private readonly reads: MediaReads,
    private readonly limits: UploadLimits,
    private readonly previews: UrlPreviewService,
  ) {}

  /**
   * GET /_matrix/media/v3/preview_url: needs an access token, as it always did, and answers only
   * while the legacy media paths are served; clients that moved to v1 use its preview_url.
   */
  @Get('preview_url')
  @UseGuards(AccessTokenGuard)
  previewUrl(@Query('url') url: unknown, @Query('ts') ts: unknown) {
    this.gate.checkServed();
    return this.previews.preview(url, ts);
  }

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
  download(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    this.gate.checkServed();
    return this.reads.download(request, reply, media);
  }

  /** GET /_matrix/media/v3/download/{serverName}/{mediaId}/{fileName} */
  @Get('download/:serverName/:mediaId/:fileName')
  downloadAs(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    this.gate.checkServed();
    return this.reads.download(request, reply, media);
  }

  /** GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} */
  @Get('thumbnail/:serverName/:mediaId')
  thumbnail(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    this.gate.checkServed();
    return this.reads.thumbnail(request, reply, media);
  }
}
