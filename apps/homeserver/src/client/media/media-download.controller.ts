import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenGuard } from '@hearth/accounts';
import { MediaReads, UploadLimits, UrlPreviewService } from '@hearth/media';

/** Authenticated media (spec v1.11): every read needs an access token. */
@Controller('_matrix/client/v1/media')
@UseGuards(AccessTokenGuard)
export class MediaDownloadController {
  constructor(
    private readonly reads: MediaReads,
    private readonly limits: UploadLimits,
    private readonly previews: UrlPreviewService,
  ) {}

  /** GET /_matrix/client/v1/media/preview_url?url=&ts= (off unless `media.url_previews.enabled`) */
  @Get('preview_url')
  previewUrl(@Query('url') url: unknown, @Query('ts') ts: unknown) {
    return this.previews.preview(url, ts);
  }

  /** GET /_matrix/client/v1/media/config */
  @Get('config')
  config() {
    return { 'm.upload.size': this.limits.maxUploadBytes };
  }

  /** GET /_matrix/client/v1/media/download/{serverName}/{mediaId} */
  @Get('download/:serverName/:mediaId')
  download(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    return this.reads.download(request, reply, media);
  }

  /** GET /_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName} */
  @Get('download/:serverName/:mediaId/:fileName')
  downloadAs(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    return this.reads.download(request, reply, media);
  }

  /** GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId} */
  @Get('thumbnail/:serverName/:mediaId')
  thumbnail(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param() media: MediaPath) {
    return this.reads.thumbnail(request, reply, media);
  }
}

/** The route's path parameters; `fileName` only on the download route that names one. */
export interface MediaPath {
  serverName: string;
  mediaId: string;
  fileName?: string;
}
