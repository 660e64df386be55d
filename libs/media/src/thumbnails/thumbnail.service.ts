import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { DownloadService } from '../download/download.service';
import type { ServedMedia } from '../download/served-media';
import { essenceOf } from '../download/content-disposition';
import { MediaContentRepository, type StoredThumbnail, type ThumbnailKey } from '../metadata/media-content.repository';
import { mediaErrors } from '../media-errors';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { renderThumbnail } from './thumbnailer';
import { chooseThumbnailSize, type ThumbnailMethod } from './thumbnail-sizes';

export interface ThumbnailRequest {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
  readonly animated: boolean;
  readonly timeoutMs: number;
}

/** Decoding is CPU and memory heavy: at most this many renderings at once per process, the rest wait their turn. */
const PARALLEL_RENDERINGS = 2;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Thumbnails at the kept sizes: computed on first request, then served from the store. */
@Injectable()
export class ThumbnailService {
  /** One rendering per thumbnail at a time in this process; concurrent askers share it. */
  private readonly rendering = new Map<string, Promise<StoredThumbnail>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly downloads: DownloadService,
    private readonly contents: MediaContentRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async thumbnail(serverName: string, mediaId: string, request: ThumbnailRequest): Promise<ServedMedia> {
    const media = await this.downloads.resolve(serverName, mediaId, request.timeoutMs);
    if (!essenceOf(media.contentType).startsWith('image/'))
      throw mediaErrors.cannotThumbnail('the media is not an image');
    const size = chooseThumbnailSize(request.width, request.height, request.method);
    const key: ThumbnailKey = { sourceSha256: media.sha256, ...size, animated: request.animated };
    const thumbnail = (await this.contents.findThumbnail(key)) ?? (await this.renderOnce(key, media.sha256));
    return {
      size: thumbnail.size,
      contentType: thumbnail.contentType,
      contentDisposition: `inline; filename="thumbnail.${EXTENSIONS[thumbnail.contentType] ?? 'png'}"`,
      open: (range) => this.store.get(thumbnail.sha256, range),
    };
  }

  private renderOnce(key: ThumbnailKey, sourceSha256: string): Promise<StoredThumbnail> {
    const id = `${key.sourceSha256}:${key.width}x${key.height}:${key.method}:${key.animated}`;
    let pending = this.rendering.get(id);
    if (!pending) {
      pending = this.inTurn(() => this.render(key, sourceSha256)).finally(() => this.rendering.delete(id));
      this.rendering.set(id, pending);
    }
    return pending;
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    // a waiter is handed the finishing rendering's slot, so the count never goes past the limit
    if (this.running >= PARALLEL_RENDERINGS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Renders and keeps the thumbnail; a source smaller than the size is its own thumbnail. */
  private async render(key: ThumbnailKey, sourceSha256: string): Promise<StoredThumbnail> {
    const source = await buffer(await this.store.get(sourceSha256));
    const rendered = await renderThumbnail(source, key, key.animated);
    if (!rendered.bytes) {
      const itself = { sha256: sourceSha256, contentType: rendered.contentType, size: source.length };
      await this.tx.run((em) => this.contents.insertThumbnail(key, itself, Date.now(), em));
      return itself;
    }
    const put = await this.store.put(Readable.from([rendered.bytes]), { maxBytes: rendered.bytes.length });
    try {
      const thumbnail = { sha256: put.sha256, contentType: rendered.contentType, size: put.size };
      await this.tx.run(async (em) => {
        await this.contents.claim(put.sha256, put.size, Date.now(), em);
        await this.contents.insertThumbnail(key, thumbnail, Date.now(), em);
        await put.keep();
      });
      return thumbnail;
    } finally {
      await put.discard();
    }
  }
}
