import * as fs from 'node:fs';
import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { UserExportsService } from '@hearth/sovereignty';

/** Self-service export (docs/export.md): a user asks for, watches and downloads their own archive. */
@Controller('_hearth/client/v1/export')
@UseGuards(AccessTokenGuard)
export class ExportController {
  constructor(private readonly exports: UserExportsService) {}

  /** POST /_hearth/client/v1/export */
  @Post()
  @HttpCode(202)
  request(@Requester() who: Requester) {
    return this.exports.request(who.userId);
  }

  /** GET /_hearth/client/v1/export: the latest export */
  @Get()
  latest(@Requester() who: Requester) {
    return this.exports.latest(who.userId);
  }

  /** GET /_hearth/client/v1/export/{exportId} */
  @Get(':exportId')
  status(@Requester() who: Requester, @Param('exportId') exportId: string) {
    return this.exports.status(who.userId, exportId);
  }

  /** GET /_hearth/client/v1/export/{exportId}/download */
  @Get(':exportId/download')
  async download(@Requester() who: Requester, @Param('exportId') exportId: string, @Res() reply: FastifyReply) {
    const { filePath, sizeBytes } = await this.exports.archive(who.userId, exportId);
    await reply
      .header('content-type', 'application/gzip')
      .header('content-length', String(sizeBytes))
      .header('content-disposition', `attachment; filename="hearth-export-${exportId}.tar.gz"`)
      .send(fs.createReadStream(filePath));
  }
}
