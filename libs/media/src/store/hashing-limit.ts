import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentTooLargeError } from './media-store';

/** Passes bytes through, hashing and counting them, and fails once more than `maxBytes` went by. */
export class HashingLimit extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(new ContentTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
