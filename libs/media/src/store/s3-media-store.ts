import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3StoreConfig } from '@hearth/config';
import { HashingLimit } from './hashing-limit';
import {
  type ByteRange,
  ContentMissingError,
  isContentHash,
  type MediaStore,
  type PutContent,
  type PutOptions,
} from './media-store';

/** An upload untouched for a day (a crash mid-upload) is no longer in progress. */
const STALE_STAGING_MS = 24 * 3600 * 1000;
/** lib-storage's multipart part size: 5 MiB is S3's smallest; four parts in flight bound the memory. */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/**
 * Blobs under `<prefix>content/<sha256>` in one bucket, which several Hearth processes or hosts
 * may share. An upload streams to `<prefix>staging/<uuid>` (multipart, so never buffered whole)
 * while it is hashed; keeping it is a server-side copy to its content key, so a reader never sees
 * a partial object under a content key.
 */
export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;

  constructor(private readonly config: S3StoreConfig) {
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      // a copy: the SDK marks the credentials object it is given, and the config is frozen
      ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    });
  }

  async put(source: Readable, options: PutOptions): Promise<PutContent> {
    const stagedKey = `${this.config.prefix}staging/${randomUUID()}`;
    const counter = new HashingLimit(options.maxBytes);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: stagedKey, Body: counter },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
    });
    try {
      await Promise.all([pipeline(source, counter), upload.done()]);
    } catch (error) {
      counter.destroy();
      source.destroy();
      await upload.abort().catch(() => undefined);
      await this.deleteKey(stagedKey).catch(() => undefined);
      throw error;
    }
    const sha256 = counter.digest();
    return {
      sha256,
      size: counter.bytes,
      keep: () => this.keep(stagedKey, sha256),
      discard: () => this.deleteKey(stagedKey),
    };
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.config.bucket,
          Key: this.contentKey(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!(answer.Body instanceof Readable)) throw new Error('the S3 client answered without a stream');
      return answer.Body;
    } catch (error) {
      throw isMissing(error) ? new ContentMissingError(sha256) : error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.contentKey(sha256) }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.deleteKey(this.contentKey(sha256));
  }

  /**
   * Staged objects older than a day belong to no upload any more. Only old ones go: another
   * process may be streaming an upload into staging right now. (A bucket lifecycle rule that
   * aborts incomplete multipart uploads after a day cleans what a crash left mid-part.)
   */
  async clearStaleStaging(now = Date.now()): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: `${this.config.prefix}staging/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || (object.LastModified?.getTime() ?? now) >= now - STALE_STAGING_MS) continue;
        await this.deleteKey(object.Key);
        removed += 1;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  destroy(): void {
    this.client.destroy();
  }

  private async keep(stagedKey: string, sha256: string): Promise<void> {
    const target = this.contentKey(sha256);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.config.bucket,
          Key: target,
          CopySource: `${this.config.bucket}/${encodeURI(stagedKey)}`,
        }),
      );
    } catch (error) {
      // the staged object is gone only when keep() already ran
      if (!isMissing(error) || !(await this.exists(sha256))) throw error;
      return;
    }
    await this.deleteKey(stagedKey);
  }

  private async deleteKey(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }));
  }

  private contentKey(sha256: string): string {
    if (!isContentHash(sha256)) throw new Error(`not a content hash: ${JSON.stringify(sha256)}`);
    return `${this.config.prefix}content/${sha256}`;
  }
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}
