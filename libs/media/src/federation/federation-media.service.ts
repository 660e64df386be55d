import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { DownloadService } from '../download/download.service';
import type { ServedMedia } from '../download/served-media';
import { ThumbnailService, type ThumbnailRequest } from '../thumbnails/thumbnail.service';

/**
 * What other servers may fetch over federation: our own users' media only (a server asks the
 * origin itself for anyone else's; we never proxy a third server's media to a peer).
 */
@Injectable()
export class FederationMediaService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly downloads: DownloadService,
    private readonly thumbnails: ThumbnailService,
  ) {}

  download(mediaId: string, timeoutMs: number): Promise<ServedMedia> {
    return this.downloads.download(this.config.serverName, mediaId, { timeoutMs });
  }

  thumbnail(mediaId: string, request: ThumbnailRequest): Promise<ServedMedia> {
    return this.thumbnails.thumbnail(this.config.serverName, mediaId, request);
  }
}
