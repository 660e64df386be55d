import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { mediaErrors } from '../media-errors';
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
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly downloads: DownloadService,
    private readonly thumbnails: ThumbnailService,
  ) {}

  /** A download, named `fileName` when the path gives one. */
  async download(
    request: FastifyRequest,
    reply: FastifyReply,
    media: { serverName: string; mediaId: string; fileName?: string },
  ): Promise<void> {
    this.checkRemoteAllowed(request, media.serverName);
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
    this.checkRemoteAllowed(request, media.serverName);
    const asked = { ...thumbnailRequest(request.query), timeoutMs: waitFrom(request.query) };
    await sendMedia(request, reply, await this.thumbnails.thumbnail(media.serverName, media.mediaId, asked));
  }

  /** Spec: with `allow_remote=false` we must not fetch, so another server's media is not found (cached or not). */
  private checkRemoteAllowed(request: FastifyRequest, serverName: string): void {
    const allowRemote = (request.query as Record<string, unknown> | undefined)?.allow_remote;
    if (allowRemote === 'false' && serverName !== this.config.serverName) throw mediaErrors.notFound();
  }
}
