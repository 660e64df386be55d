import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ThumbnailService } from '../thumbnails/thumbnail.service';
import { thumbnailRequest } from '../thumbnails/thumbnail-sizes';
import { uploadFileName } from '../upload/upload-description';
import { DownloadService, waitFrom, type DownloadOptions } from './download.service';
import { sendMedia } from './media-reply';

/**
 * The reads every media surface answers alike (authenticated v1, the legacy v3 paths): which of
 * them may ask is the controller's business, what they get is decided here.
 */
@Injectable()
export class MediaReads {
  constructor(
    private readonly downloads: DownloadService,
    private readonly thumbnails: ThumbnailService,
  ) {}

  /** A download, named `fileName` when the path gives one. */
  async download(
    request: FastifyRequest,
    reply: FastifyReply,
    media: { serverName: string; mediaId: string; fileName?: string },
  ): Promise<void> {
    const options: DownloadOptions = { timeoutMs: waitFrom(request.query) };
    const fileName = media.fileName === undefined ? undefined : (uploadFileName(media.fileName) ?? undefined);
    const served = await this.downloads.download(media.serverName, media.mediaId, { ...options, fileName });
    await sendMedia(request, reply, served);
  }

  async thumbnail(
    request: FastifyRequest,
    reply: FastifyReply,
    media: { serverName: string; mediaId: string },
  ): Promise<void> {
    const asked = { ...thumbnailRequest(request.query), timeoutMs: waitFrom(request.query) };
    await sendMedia(request, reply, await this.thumbnails.thumbnail(media.serverName, media.mediaId, asked));
  }
}
