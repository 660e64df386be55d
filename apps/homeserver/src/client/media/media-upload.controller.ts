import { Controller, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { RawBodyStream } from '@hearth/http';
import { UploadService } from '@hearth/media';
import { uploadRequestOf } from './upload-request';

@Controller('_matrix/media')
@UseGuards(AccessTokenGuard)
export class MediaUploadController {
  constructor(private readonly uploads: UploadService) {}

  /** POST /_matrix/media/v3/upload */
  @Post('v3/upload')
  @HttpCode(200)
  @RawBodyStream()
  upload(@Req() request: FastifyRequest, @Requester() who: Requester) {
    return this.uploads.upload(uploadRequestOf(request, who));
  }

  /** POST /_matrix/media/v1/create */
  @Post('v1/create')
  @HttpCode(200)
  create(@Requester() who: Requester) {
    return this.uploads.create(who.userId);
  }

  /** PUT /_matrix/media/v3/upload/{serverName}/{mediaId} */
  @Put('v3/upload/:serverName/:mediaId')
  @RawBodyStream()
  async uploadTo(
    @Req() request: FastifyRequest,
    @Requester() who: Requester,
    @Param('serverName') serverName: string,
    @Param('mediaId') mediaId: string,
  ) {
    await this.uploads.uploadTo(serverName, mediaId, uploadRequestOf(request, who));
    return {};
  }
}
