import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { RateLimitsService } from '@hearth/http';
import { LocalMediaRepository } from '../metadata/local-media.repository';
import { mediaErrors } from '../media-errors';

/** max_upload_size, the per-account upload rate and the optional quota, checked before a byte is read where possible. */
@Injectable()
export class UploadLimits {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rateLimits: RateLimitsService,
    private readonly media: LocalMediaRepository,
  ) {}

  get maxUploadBytes(): number {
    return this.config.media.maxUploadBytes;
  }

  /** Counts the attempt and refuses it when Content-Length alone shows it cannot fit; returns the most bytes to read. */
  async admit(uploader: string, declaredLength: number | undefined): Promise<number> {
    if (declaredLength !== undefined && declaredLength > this.maxUploadBytes)
      throw mediaErrors.tooLarge(this.maxUploadBytes);
    const room = await this.quotaLeft(uploader);
    if (declaredLength !== undefined && declaredLength > room) throw mediaErrors.quotaExceeded();
    await this.rateLimits.consume('media_upload', { account: uploader });
    return this.maxUploadBytes;
  }

  /** After the bytes arrived (a chunked body declares no length): does the quota still hold them? */
  async checkQuota(uploader: string, size: number): Promise<void> {
    if (size > (await this.quotaLeft(uploader))) throw mediaErrors.quotaExceeded();
  }

  private async quotaLeft(uploader: string): Promise<number> {
    const quota = this.config.media.quotaBytesPerUser;
    if (quota === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, quota - (await this.media.bytesUploadedBy(uploader)));
  }
}
