import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenGuard } from '@hearth/accounts';
import {
  DownloadService,
  sendMedia,
  ThumbnailService,
  thumbnailRequest,
  uploadFileName,
  UploadLimits,
  waitFrom,
} from '@hearth/media';

/** Authenticated media (spec v1.11): every read needs an access token. */
@Controller('_matrix/client/v1/media')
@UseGuards(AccessTokenGuard)
export class MediaDownloadController {
  constructor(
    private readonly downloads: DownloadService,
    private readonly thumbnails: ThumbnailService,
    private readonly limits: UploadLimits,
  ) {}

  /** GET /_matrix/client/v1/media/config */
  @Get('config')
  config() {
    return { 'm.upload.size': this.limits.maxUploadBytes };
  }

  /** GET /_matrix/client/v1/media/download/{serverName}/{mediaId} */
  @Get('download/:serverName/:mediaId')
  async download(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
  ) {
    await sendMedia(
      request,
      reply,
      await this.downloads.download(serverName, mediaId, { timeoutMs: waitFrom(request.query) }),
    );
  }

  /** GET /_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName} */
  @Get('download/:serverName/:mediaId/:fileName')
  async downloadAs(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
    @Param('fileName') fileName: string,
  ) {
    const options = { timeoutMs: waitFrom(request.query), fileName: uploadFileName(fileName) ?? undefined };
    await sendMedia(request, reply, await this.downloads.download(serverName, mediaId, options));
  }

  /** GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId} */
  @Get('thumbnail/:serverName/:mediaId')
  async thumbnail(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
    @Query() query: unknown,
  ) {
    const asked = { ...thumbnailRequest(query), timeoutMs: waitFrom(query) };
    await sendMedia(request, reply, await this.thumbnails.thumbnail(serverName, mediaId, asked));
  }
}
