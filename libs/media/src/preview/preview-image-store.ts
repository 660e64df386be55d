import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import { LocalMediaRepository } from '../metadata/local-media.repository';
import { MediaContentRepository } from '../metadata/media-content.repository';
import { mxcUri, newMediaId } from '../media-id';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { sharpImage } from '../thumbnails/sharp-package';
import type { OpenGraph } from './open-graph';

/**
 * Keeps an image a preview shows as local media, so clients fetch it from us (authenticated) as
 * an mxc:// URL and the site never learns who looks. No user is recorded as its uploader
 * (the uploader column is empty): previews are not attributed to whoever asked.
 */
@Injectable()
export class PreviewImageStore {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly media: LocalMediaRepository,
    private readonly contents: MediaContentRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /** The `og:image*` and `matrix:image:size` keys describing the kept image. */
  async keep(bytes: Buffer, contentType: string): Promise<OpenGraph> {
    const mediaId = newMediaId();
    const put = await this.store.put(Readable.from([bytes]), { maxBytes: bytes.length });
    try {
      await this.tx.run(async (em) => {
        await this.contents.claim(put.sha256, put.size, Date.now(), em);
        await this.media.insertUploaded(
          { mediaId, uploader: '', now: Date.now(), sha256: put.sha256, size: put.size, contentType, uploadName: null },
          em,
        );
        await put.keep();
      });
    } finally {
      await put.discard();
    }
    return {
      'og:image': mxcUri(this.config.serverName, mediaId),
      'og:image:type': contentType,
      'matrix:image:size': bytes.length,
      ...(await dimensions(bytes)),
    };
  }
}

/** Width and height from the image's header; nothing when it cannot be read. */
async function dimensions(bytes: Buffer): Promise<OpenGraph> {
  try {
    const { width, height } = await (await sharpImage(bytes, { limitInputPixels: 8192 * 8192 })).metadata();
    return width && height ? { 'og:image:width': width, 'og:image:height': height } : {};
  } catch {
    return {};
  }
}
