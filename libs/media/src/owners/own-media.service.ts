import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import type { LocalMedia } from '../metadata/local-media';
import { LocalMediaRepository } from '../metadata/local-media.repository';
import { MediaContentRepository } from '../metadata/media-content.repository';
import { mediaErrors } from '../media-errors';
import { checkMediaAddress, mxcUri } from '../media-id';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export interface OwnMediaPage {
  readonly media: Array<Record<string, unknown>>;
  readonly next_batch?: string;
}

/** A user's own uploads: listed, and deleted (bytes too, once no other upload shares them). */
@Injectable()
export class OwnMediaService {
  private readonly logger = new Logger(OwnMediaService.name);

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly media: LocalMediaRepository,
    private readonly contents: MediaContentRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async list(userId: string, from: unknown, limit: unknown): Promise<OwnMediaPage> {
    const size = pageSize(limit);
    const rows = await this.media.listByUploader(userId, size + 1, parseFrom(from));
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      media: page.map((row) => this.describe(row)),
      ...(rows.length > size && last ? { next_batch: `${last.createdTs}_${last.mediaId}` } : {}),
    };
  }

  /** Deletes the user's media ID; another user's, or one that does not exist, is not found alike. */
  async delete(userId: string, mediaId: string): Promise<void> {
    checkMediaAddress(this.config.serverName, mediaId);
    await this.tx.run(async (em) => {
      const deleted = await this.media.deleteOwned(mediaId, userId, em);
      if (!deleted) throw mediaErrors.notFound();
      if (!deleted.sha256) return;
      // removed while the rows are locked: an upload of the same bytes waits, then stores them anew
      for (const sha256 of await this.contents.releaseIfUnused(deleted.sha256, em)) await this.store.delete(sha256);
    });
    this.logger.debug(`media ${mediaId} deleted by its uploader`);
  }

  private describe(media: LocalMedia): Record<string, unknown> {
    return {
      content_uri: mxcUri(this.config.serverName, media.mediaId),
      media_id: media.mediaId,
      created_ts: media.createdTs,
      ...(media.sha256 !== null
        ? { content_type: media.contentType, size: media.size, uploaded_ts: media.uploadedTs }
        : { pending: true, unused_expires_at: media.unusedExpiresTs }),
      ...(media.uploadName !== null ? { upload_name: media.uploadName } : {}),
    };
  }
}

function pageSize(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE;
  const value = typeof limit === 'string' && /^\d{1,6}$/.test(limit) ? Number(limit) : NaN;
  if (!(value > 0)) throw MatrixError.invalidParam('limit must be a positive integer');
  return Math.min(value, MAX_PAGE);
}

function parseFrom(from: unknown): { createdTs: number; mediaId: string } | undefined {
  if (from === undefined) return undefined;
  const match = typeof from === 'string' ? /^(\d{1,15})_([A-Za-z0-9_-]{1,255})$/.exec(from) : null;
  if (!match) throw MatrixError.invalidParam('from is not a token this endpoint gave');
  return { createdTs: Number(match[1]), mediaId: match[2] as string };
}
