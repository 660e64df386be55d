import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mediaErrors } from '../media-errors';
import { ContentMissingError, type ByteRange } from '../store/media-store';
import { answerRange } from './byte-range';
import type { ServedMedia } from './served-media';

/**
 * A served file must never run script in our origin, whatever it claims to be: no sniffing, a
 * sandbox with no script, and (as Synapse) styles and media only from the file itself.
 */
const CONTENT_SECURITY_POLICY =
  "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

/** Writes the media out with its headers, streaming, honouring one byte range. */
export async function sendMedia(request: FastifyRequest, reply: FastifyReply, media: ServedMedia): Promise<void> {
  void reply
    .header('content-type', media.contentType)
    .header('content-disposition', media.contentDisposition)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    // web clients on another origin show media in <img> and <video>
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('cache-control', 'private, max-age=86400')
    .header('accept-ranges', 'bytes');
  const range = answerRange(request.headers.range, media.size);
  switch (range.kind) {
    case 'unsatisfiable':
      return void reply.status(416).header('content-range', `bytes */${media.size}`).send();
    case 'partial': {
      const { start, end } = range.range;
      const body = await openOrNotFound(media, range.range);
      return void reply
        .status(206)
        .header('content-range', `bytes ${start}-${end}/${media.size}`)
        .header('content-length', String(end - start + 1))
        .send(body);
    }
    case 'whole': {
      const body = await openOrNotFound(media);
      return void reply.status(200).header('content-length', String(media.size)).send(body);
    }
  }
}

/** Bytes whose metadata outlived them (removed by hand from the store) are not found, not a server fault. */
async function openOrNotFound(media: ServedMedia, range?: ByteRange): Promise<Readable> {
  try {
    return await media.open(range);
  } catch (error) {
    if (error instanceof ContentMissingError) throw mediaErrors.notFound();
    throw error;
  }
}
