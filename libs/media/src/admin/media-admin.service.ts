import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import { MediaContentRepository } from '../metadata/media-content.repository';
import { mediaErrors } from '../media-errors';
import { checkMediaAddress } from '../media-id';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { MediaAdminRepository, type AdminMediaItem } from './media-admin.repository';
import { REMOTE_MEDIA_ADMIN, type RemoteMediaAdmin } from './remote-media-admin';
import type { UserMediaOrder } from './user-media-order';

export interface DeletedMediaReply {
  readonly deleted_media: string[];
  readonly total: number;
}

/** Synapse's media admin API over our media: list, delete, quarantine, purge the remote cache. */
@Injectable()
export class MediaAdminService {
  private readonly logger = new Logger(MediaAdminService.name);

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    @Inject(REMOTE_MEDIA_ADMIN) private readonly remote: RemoteMediaAdmin,
    private readonly media: MediaAdminRepository,
    private readonly contents: MediaContentRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /** GET /_synapse/admin/v1/users/{userId}/media */
  async listUserMedia(userId: string, order: UserMediaOrder, page: { offset: number; limit: number }) {
    const { items, total } = await this.tx.read((em) => this.media.listByUploader(userId, order, page, em));
    const next = page.offset + items.length;
    return { media: items.map(describe), total, ...(next < total ? { next_token: next } : {}) };
  }

  async deleteUserMedia(userId: string, order: UserMediaOrder, limit: number): Promise<DeletedMediaReply> {
    return this.deleteWith((em) => this.media.idsByUploader(userId, order, limit, em));
  }

  async deleteOne(serverName: string, mediaId: string): Promise<DeletedMediaReply> {
    checkMediaAddress(serverName, mediaId);
    if (serverName !== this.config.serverName) throw mediaErrors.notFound();
    const reply = await this.deleteWith(() => Promise.resolve([mediaId]));
    if (reply.total === 0) throw mediaErrors.notFound();
    return reply;
  }

  async deleteCreatedBefore(beforeTs: number, sizeGt: number, keepAvatars: boolean): Promise<DeletedMediaReply> {
    return this.deleteWith((em) =>
      this.media.idsCreatedBefore(beforeTs, sizeGt, keepAvatars, this.config.serverName, em),
    );
  }

  purgeRemoteCache(beforeTs: number): Promise<number> {
    return this.remote.purgeBefore(beforeTs);
  }

  /** Quarantines (`by` an admin) or releases (null) one media ID, ours or a cached remote one. */
  async setQuarantine(serverName: string, mediaId: string, by: string | null): Promise<void> {
    checkMediaAddress(serverName, mediaId);
    const changed =
      serverName === this.config.serverName
        ? (await this.media.setQuarantine([mediaId], by, Date.now())).length > 0
        : await this.remote.setQuarantine(serverName, mediaId, by);
    if (!changed) throw mediaErrors.notFound();
    this.logger.log(`media ${serverName}/${mediaId} ${by ? `quarantined by ${by}` : 'released from quarantine'}`);
  }

  quarantineUserMedia(userId: string, by: string): Promise<number> {
    return this.media.quarantineUploader(userId, by, Date.now());
  }

  /** Quarantines the media the room's events point at: ours here, other servers' in the remote cache. */
  async quarantineRoomMedia(roomId: string, by: string): Promise<number> {
    const local: string[] = [];
    let remote = 0;
    for (const uri of await this.media.mxcUrisInRoom(roomId)) {
      const [serverName, mediaId] = uri.slice('mxc://'.length).split('/') as [string, string];
      if (serverName === this.config.serverName) local.push(mediaId);
      else if (await this.remote.setQuarantine(serverName, mediaId, by)) remote += 1;
    }
    return (await this.media.setQuarantine(local, by, Date.now())).length + remote;
  }

  /**
   * Deletes the media IDs `select` picks, in one transaction; each blob goes from the store once
   * nothing refers to it (under the row lock, as an owner's delete does).
   */
  private async deleteWith(select: (em: EntityManager) => Promise<string[]>): Promise<DeletedMediaReply> {
    const deleted = await this.tx.run(async (em) => {
      const gone = await this.media.delete(await select(em), em);
      const blobs = new Set(gone.flatMap((media) => (media.sha256 ? [media.sha256] : [])));
      for (const blob of blobs) {
        for (const sha256 of await this.contents.releaseIfUnused(blob, em)) await this.store.delete(sha256);
      }
      return gone.map((media) => media.mediaId);
    });
    if (deleted.length > 0) this.logger.log(`admin deleted ${deleted.length} media`);
    return { deleted_media: deleted, total: deleted.length };
  }
}

function describe(item: AdminMediaItem): Record<string, unknown> {
  return {
    media_id: item.mediaId,
    media_type: item.contentType,
    media_length: item.size,
    upload_name: item.uploadName,
    created_ts: item.createdTs,
    // no access log is kept (docs/media.md, "Privacy")
    last_access_ts: item.uploadedTs,
    quarantined_by: item.quarantinedBy,
    safe_from_quarantine: false,
  };
}
