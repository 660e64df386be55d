import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ByteRange,
  ContentMissingError,
  isContentHash,
  type MediaStore,
  type PutContent,
  type PutOptions,
} from './media-store';
import { HashingLimit } from './hashing-limit';

/** An upload slower than this (a day without a byte written) is no longer in progress. */
const STALE_STAGING_MS = 24 * 3600 * 1000;

/**
 * Blobs under `root/content/ab/cd/<sha256>`, staged in `root/staging/` on the same filesystem so
 * that keeping one is an atomic rename: a reader never sees half a file.
 */
export class FilesystemMediaStore implements MediaStore {
  private readonly contentDir: string;
  private readonly stagingDir: string;

  constructor(root: string) {
    this.contentDir = path.join(root, 'content');
    this.stagingDir = path.join(root, 'staging');
    fs.mkdirSync(this.contentDir, { recursive: true });
    fs.mkdirSync(this.stagingDir, { recursive: true });
    this.clearStaging();
  }

  async put(source: Readable, options: PutOptions): Promise<PutContent> {
    const staged = path.join(this.stagingDir, randomUUID());
    const counter = new HashingLimit(options.maxBytes);
    try {
      await pipeline(source, counter, fs.createWriteStream(staged, { flags: 'wx' }));
    } catch (error) {
      await fs.promises.rm(staged, { force: true });
      throw error;
    }
    const sha256 = counter.digest();
    const target = this.pathOf(sha256);
    return {
      sha256,
      size: counter.bytes,
      keep: async () => {
        await fs.promises.mkdir(path.dirname(target), { recursive: true });
        await fs.promises.rename(staged, target).catch(async (error: NodeJS.ErrnoException) => {
          // the staged file is gone only when keep() already ran
          if (error.code !== 'ENOENT' || !(await this.exists(sha256))) throw error;
        });
      },
      discard: () => fs.promises.rm(staged, { force: true }),
    };
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(sha256);
    const handle = await fs.promises.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new ContentMissingError(sha256) : error;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async exists(sha256: string): Promise<boolean> {
    return fs.promises.access(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async delete(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }

  private pathOf(sha256: string): string {
    if (!isContentHash(sha256)) throw new Error(`not a content hash: ${JSON.stringify(sha256)}`);
    return path.join(this.contentDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * What a crash left staged belongs to no upload any more. Only old files go: another process
   * sharing this folder may be streaming an upload right now.
   */
  private clearStaging(): void {
    const cutoff = Date.now() - STALE_STAGING_MS;
    for (const name of fs.readdirSync(this.stagingDir)) {
      const file = path.join(this.stagingDir, name);
      const modified = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
      if (modified < cutoff) fs.rmSync(file, { force: true });
    }
  }
}
