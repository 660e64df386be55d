import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FederationAuthGuard } from '@hearth/federation-client';
import { FederationMediaService, sendMultipartMedia, thumbnailRequest, waitFrom } from '@hearth/media';

/** Our users' media for other servers (spec v1.11), X-Matrix signed, answered as multipart/mixed. */
@Controller('_matrix/federation/v1/media')
@UseGuards(FederationAuthGuard)
export class FederationMediaController {
  constructor(private readonly media: FederationMediaService) {}

  /** GET /_matrix/federation/v1/media/download/{mediaId} */
  @Get('download/:mediaId')
  async download(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('mediaId') mediaId: string) {
    await sendMultipartMedia(reply, await this.media.download(mediaId, waitFrom(request.query)));
  }

  /** GET /_matrix/federation/v1/media/thumbnail/{mediaId} */
  @Get('thumbnail/:mediaId')
  async thumbnail(@Res() reply: FastifyReply, @Param('mediaId') mediaId: string, @Query() query: unknown) {
    const asked = { ...thumbnailRequest(query), timeoutMs: waitFrom(query) };
    await sendMultipartMedia(reply, await this.media.thumbnail(mediaId, asked));
  }
}
