import type { Readable } from 'node:stream';

/** Where the bytes live. The metadata (who uploaded what, under which media ID) is in PostgreSQL. */
export const MEDIA_STORE = Symbol('MEDIA_STORE');

/** An inclusive byte range, as HTTP's `Range: bytes=start-end` names it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutOptions {
  /** The most bytes the source may yield: past it, the put fails with ContentTooLargeError and keeps nothing. */
  readonly maxBytes: number;
}

/**
 * Bytes that have been streamed into the store and hashed, but are not yet kept under their hash.
 * The caller keeps them once it holds the content's metadata row (so a concurrent delete of the
 * same content cannot remove them between the write and the row), or discards them.
 */
export interface PutContent {
  /** Lower-case hex sha256 of the bytes: the content's key in the store. */
  readonly sha256: string;
  readonly size: number;
  /** Makes the bytes readable under `sha256`; a no-op beyond cleaning up when they already are. */
  keep(): Promise<void>;
  /** Drops the staged bytes. Safe to call after `keep` or twice. */
  discard(): Promise<void>;
}

/**
 * A content-addressed blob store: the filesystem by default, an S3-compatible bucket for several
 * processes or hosts. Keys are sha256 hex digests, never anything a client chose, so no request
 * can name a path of its own. Implementations stream both ways and never hold a whole file in memory.
 */
export interface MediaStore {
  /**
   * Streams `source` into staging while hashing it. Rejects with ContentTooLargeError past
   * `maxBytes`, or with the source's own error (a client that hung up), leaving nothing behind.
   */
  put(source: Readable, options: PutOptions): Promise<PutContent>;
  /** The stored bytes, or the inclusive `range` of them; rejects with ContentMissingError when absent. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  /** Removes the bytes; absent content is not an error. */
  delete(sha256: string): Promise<void>;
}

export class ContentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`content is larger than ${maxBytes} bytes`);
    this.name = 'ContentTooLargeError';
  }
}

export class ContentMissingError extends Error {
  constructor(readonly sha256: string) {
    super(`content ${sha256} is not in the store`);
    this.name = 'ContentMissingError';
  }
}

export function isContentHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
