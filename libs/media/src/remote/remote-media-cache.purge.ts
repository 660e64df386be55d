import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MediaContentRepository } from '../metadata/media-content.repository';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { RemoteMediaRepository } from './remote-media.repository';

/** Entries dropped per run: the transaction stays short; the next run takes the rest. */
export const REMOTE_PURGE_BATCH = 1000;

/**
 * Drops other servers' media not read for `media.remote_cache_days`, and its bytes (and
 * thumbnails) when nothing else holds them, for the retention job in libs/retention, which runs
 * it in a transaction under its advisory lock. A file asked for again is fetched anew.
 */
@Injectable()
export class RemoteMediaCachePurge {
  readonly name = 'remote-media-cache';

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly cache: RemoteMediaRepository,
    private readonly contents: MediaContentRepository,
  ) {}

  run(em: EntityManager, now: number): Promise<number> {
    return this.dropUnreadSince(now - this.config.media.remoteCacheMs, em);
  }

  /** Drops up to a batch of entries not read since `before`, and their bytes nothing else holds; answers how many. */
  async dropUnreadSince(before: number, em: EntityManager): Promise<number> {
    const blobs = await this.cache.deleteUnreadSince(before, REMOTE_PURGE_BATCH, em);
    for (const sha256 of new Set(blobs)) {
      for (const released of await this.contents.releaseIfUnused(sha256, em)) await this.store.delete(released);
    }
    return blobs.length;
  }
}
