import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import type { RemoteMediaAdmin } from '../admin/remote-media-admin';
import { REMOTE_PURGE_BATCH, RemoteMediaCachePurge } from './remote-media-cache.purge';
import { RemoteMediaRepository } from './remote-media.repository';

/** The admin API's hold on the cache of other servers' media (REMOTE_MEDIA_ADMIN). */
@Injectable()
export class RemoteMediaCacheAdmin implements RemoteMediaAdmin {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly cache: RemoteMediaRepository,
    private readonly purge: RemoteMediaCachePurge,
  ) {}

  /** In batches, each its own transaction, as the retention job does. */
  async purgeBefore(beforeTs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const dropped = await this.tx.run((em) => this.purge.dropUnreadSince(beforeTs, em));
      total += dropped;
      if (dropped < REMOTE_PURGE_BATCH) return total;
    }
  }

  setQuarantine(serverName: string, mediaId: string, quarantinedBy: string | null): Promise<boolean> {
    return this.tx.run((em) => this.cache.setQuarantine(serverName, mediaId, quarantinedBy, Date.now(), em));
  }
}
