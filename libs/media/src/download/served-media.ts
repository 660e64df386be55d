import type { Readable } from 'node:stream';
import type { ByteRange } from '../store/media-store';

/** What a download or thumbnail request is answered with; `media-reply.ts` writes it out. */
export interface ServedMedia {
  readonly size: number;
  readonly contentType: string;
  readonly contentDisposition: string;
  /** Opens the bytes (or the range of them) only once the reply is sure to be sent. */
  open(range?: ByteRange): Promise<Readable>;
}
