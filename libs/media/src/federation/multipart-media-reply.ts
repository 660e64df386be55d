import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ServedMedia } from '../download/served-media';
import { mediaErrors } from '../media-errors';
import { ContentMissingError } from '../store/media-store';

/**
 * Answers a federation media request as the spec defines it (v1.11, "Content repository"): a
 * `multipart/mixed` body of two parts, first the media's metadata as JSON (empty: the spec defines
 * no fields yet), then the bytes with their own Content-Type and Content-Disposition. The bytes
 * stream from the store; Content-Length is known beforehand, so the peer can refuse an oversize
 * file from the header.
 */
export async function sendMultipartMedia(reply: FastifyReply, media: ServedMedia): Promise<void> {
  const boundary = randomBytes(16).toString('hex');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n` +
      `--${boundary}\r\nContent-Type: ${media.contentType}\r\nContent-Disposition: ${media.contentDisposition}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const bytes = await openBytes(media);
  const body = Readable.from(joined(head, bytes, tail));
  bytes.once('error', (error) => body.destroy(error));
  await reply
    .status(200)
    .header('content-type', `multipart/mixed; boundary=${boundary}`)
    .header('content-length', String(head.length + media.size + tail.length))
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

async function* joined(head: Buffer, bytes: Readable, tail: Buffer): AsyncGenerator<Buffer> {
  yield head;
  for await (const chunk of bytes) yield chunk as Buffer;
  yield tail;
}

/** Bytes missing from the store under existing metadata are a 404, as on the client endpoints. */
async function openBytes(media: ServedMedia): Promise<Readable> {
  try {
    return await media.open();
  } catch (error) {
    if (error instanceof ContentMissingError) throw mediaErrors.notFound();
    throw error;
  }
}
