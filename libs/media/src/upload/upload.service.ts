import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { LocalMediaRepository } from '../metadata/local-media.repository';
import { MediaContentRepository } from '../metadata/media-content.repository';
import type { UploadedContent } from '../metadata/local-media';
import { mediaErrors } from '../media-errors';
import { mxcUri, newMediaId } from '../media-id';
import { ContentTooLargeError, MEDIA_STORE, type MediaStore } from '../store/media-store';
import { UploadLimits } from './upload-limits';
import { declaredLength, uploadContentType, uploadFileName } from './upload-description';

/** An upload as the HTTP layer hands it over: the body unread, the headers and query as sent. */
export interface UploadRequest {
  readonly uploader: string;
  readonly body: Readable;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly fileName: unknown;
}

/** POST /upload, POST /create and PUT /upload/{serverName}/{mediaId}. */
@Injectable()
export class UploadService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly limits: UploadLimits,
    private readonly media: LocalMediaRepository,
    private readonly contents: MediaContentRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async upload(request: UploadRequest): Promise<{ content_uri: string }> {
    const uploadName = uploadFileName(request.fileName);
    const mediaId = newMediaId();
    await this.storeBody(request, uploadName, (content, em) =>
      this.media.insertUploaded({ mediaId, uploader: request.uploader, now: Date.now(), ...content }, em),
    );
    return { content_uri: mxcUri(this.config.serverName, mediaId) };
  }

  /** POST /_matrix/media/v1/create: an ID now, the bytes later. */
  async create(uploader: string): Promise<{ content_uri: string; unused_expires_at: number }> {
    const now = Date.now();
    await this.media.dropLapsed(uploader, now);
    if ((await this.media.countPending(uploader)) >= this.config.media.maxPendingUploads)
      throw mediaErrors.tooManyPending();
    const mediaId = newMediaId();
    const expiresAt = now + this.config.media.unusedExpiryMs;
    await this.media.insertPending(mediaId, uploader, now, expiresAt);
    return { content_uri: mxcUri(this.config.serverName, mediaId), unused_expires_at: expiresAt };
  }

  /** PUT /_matrix/media/v3/upload/{serverName}/{mediaId}: every refusal comes before the body is read. */
  async uploadTo(serverName: string, mediaId: string, request: UploadRequest): Promise<void> {
    if (serverName !== this.config.serverName) throw mediaErrors.notFound();
    const pending = await this.media.find(mediaId);
    if (!pending || (pending.sha256 === null && (pending.unusedExpiresTs ?? 0) <= Date.now()))
      throw mediaErrors.notFound();
    if (pending.uploader !== request.uploader) throw mediaErrors.notCreator();
    if (pending.sha256 !== null) throw mediaErrors.cannotOverwrite();
    const uploadName = uploadFileName(request.fileName);
    await this.storeBody(request, uploadName, async (content, em) => {
      if (!(await this.media.fillPending(mediaId, content, Date.now(), em))) throw mediaErrors.cannotOverwrite();
    });
  }

  /**
   * Streams the body into the store and records it: the content row is claimed (locked) before the
   * bytes are kept, in the transaction that records the media ID. Whatever fails, nothing stays staged.
   */
  private async storeBody(
    request: UploadRequest,
    uploadName: string | null,
    record: (content: UploadedContent, em: EntityManager) => Promise<void>,
  ): Promise<void> {
    const contentType = uploadContentType(request.contentType);
    const maxBytes = await this.limits.admit(request.uploader, declaredLength(request.contentLength));
    const put = await this.store.put(request.body, { maxBytes }).catch((error: unknown) => {
      throw error instanceof ContentTooLargeError ? mediaErrors.tooLarge(maxBytes) : error;
    });
    try {
      await this.limits.checkQuota(request.uploader, put.size);
      await this.tx.run(async (em) => {
        await this.contents.claim(put.sha256, put.size, Date.now(), em);
        await record({ sha256: put.sha256, size: put.size, contentType, uploadName }, em);
        await put.keep();
      });
    } finally {
      await put.discard();
    }
  }
}
