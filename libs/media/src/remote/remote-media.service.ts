import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { mediaErrors } from '../media-errors';
import { MediaContentRepository } from '../metadata/media-content.repository';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { RemoteMediaFetcher } from './remote-media-fetcher';
import { dayOf, type RemoteMedia } from './remote-media';
import { RemoteMediaRepository } from './remote-media.repository';

/**
 * Other servers' media for our users: served from the cache when we have it, else fetched from
 * its origin once (concurrent first requests in this process share one fetch) and cached.
 */
@Injectable()
export class RemoteMediaService {
  private readonly fetching = new Map<string, Promise<RemoteMedia>>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly cache: RemoteMediaRepository,
    private readonly contents: MediaContentRepository,
    private readonly fetcher: RemoteMediaFetcher,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {}

  async resolve(origin: string, mediaId: string): Promise<RemoteMedia> {
    const media = (await this.cached(origin, mediaId)) ?? (await this.fetchOnce(origin, mediaId));
    // quarantined media is not found for anyone, as our own (DownloadService)
    if (media.quarantinedTs !== null) throw mediaErrors.notFound();
    return media;
  }

  /** A cached entry, its last access moved to today. */
  private cached(origin: string, mediaId: string): Promise<RemoteMedia | undefined> {
    return this.tx.run(async (em) => {
      const media = await this.cache.find(origin, mediaId, em);
      if (media) await this.cache.touch(origin, mediaId, dayOf(Date.now()), em);
      return media;
    });
  }

  private fetchOnce(origin: string, mediaId: string): Promise<RemoteMedia> {
    const key = `${origin}/${mediaId}`;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetchAndKeep(origin, mediaId).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  /** Keeps the staged bytes only once their content row is claimed, as uploads do, so a concurrent purge cannot drop them. */
  private async fetchAndKeep(origin: string, mediaId: string): Promise<RemoteMedia> {
    const fetched = await this.fetcher.fetch(origin, mediaId);
    const { content } = fetched;
    try {
      const now = Date.now();
      const media: RemoteMedia = {
        origin,
        mediaId,
        contentType: fetched.contentType,
        uploadName: fetched.uploadName,
        size: content.size,
        sha256: content.sha256,
        createdTs: now,
        lastAccessTs: dayOf(now),
        quarantinedTs: null,
      };
      return await this.tx.run(async (em) => {
        await this.contents.claim(content.sha256, content.size, now, em);
        await this.cache.insert(media, em);
        await content.keep();
        // another process may have cached it first: serve what is recorded, and drop our copy if it differs
        const recorded = (await this.cache.find(origin, mediaId, em)) ?? media;
        if (recorded.sha256 !== content.sha256) {
          for (const sha256 of await this.contents.releaseIfUnused(content.sha256, em)) await this.store.delete(sha256);
        }
        return recorded;
      });
    } finally {
      await content.discard();
    }
  }
}
