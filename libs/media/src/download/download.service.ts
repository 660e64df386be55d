import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isUploaded, type UploadedMedia } from '../metadata/local-media';
import { RemoteMediaService } from '../remote/remote-media.service';
import { LocalMediaRepository } from '../metadata/local-media.repository';
import { mediaErrors } from '../media-errors';
import { checkMediaAddress } from '../media-id';
import { MEDIA_STORE, type MediaStore } from '../store/media-store';
import { contentDisposition } from './content-disposition';
import type { ServedMedia } from './served-media';

/** Spec: timeout_ms defaults to 20 s and "SHOULD" be capped. */
const DEFAULT_WAIT_MS = 20_000;
const MAX_WAIT_MS = 60_000;
/** Another process may fill a pending upload: the database is asked again this often. */
const PENDING_POLL_MS = 250;

/** Finds media by its mxc:// address and serves it; waits (within timeout_ms) for pending uploads. */
@Injectable()
export class DownloadService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly media: LocalMediaRepository,
    private readonly remote: RemoteMediaService,
  ) {}

  async download(serverName: string, mediaId: string, options: DownloadOptions): Promise<ServedMedia> {
    const media = await this.resolve(serverName, mediaId, options.timeoutMs);
    const fileName = options.fileName ?? media.uploadName;
    return {
      size: media.size,
      contentType: media.contentType,
      contentDisposition: contentDisposition(media.contentType, fileName),
      open: (range) => this.store.get(media.sha256, range),
    };
  }

  /** The media at that address: our upload, or another server's file from the cache or fetched from its origin. */
  async resolve(serverName: string, mediaId: string, timeoutMs: number): Promise<StoredMedia> {
    checkMediaAddress(serverName, mediaId);
    if (serverName !== this.config.serverName) return this.remote.resolve(serverName, mediaId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const media = await this.media.find(mediaId);
      // quarantined media is not found for anyone, on every path that serves it (Synapse's answer)
      if (!media || media.quarantinedTs !== null) throw mediaErrors.notFound();
      if (isUploaded(media)) return media;
      if ((media.unusedExpiresTs ?? 0) <= Date.now()) throw mediaErrors.notFound();
      if (Date.now() >= deadline) throw mediaErrors.notYetUploaded();
      await sleep(Math.min(PENDING_POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }
}

/** What serving needs of media, ours or cached from another server. */
export type StoredMedia = Pick<UploadedMedia, 'sha256' | 'size' | 'contentType' | 'uploadName'>;

export interface DownloadOptions {
  readonly timeoutMs: number;
  /** The `{fileName}` path segment, which overrides the upload's name. */
  readonly fileName?: string;
}

/** `timeout_ms` from the query: default 20 s, at most 60 s. */
export function waitFrom(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.timeout_ms;
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(value)) throw MatrixError.invalidParam('timeout_ms must be a non-negative integer');
  return Math.min(value, MAX_WAIT_MS);
}
