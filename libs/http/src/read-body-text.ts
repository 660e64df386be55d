import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';

/**
 * Reads a request body as UTF-8 text within `limit` bytes, as Fastify's own string parser does
 * (and with its errors: 413 when Content-Length or the bytes exceed the limit, 400 when they do not
 * match Content-Length). Written out because a parser that may hand some routes the raw stream
 * cannot also ask Fastify to read the body for the others.
 */
export function readBodyText(
  payload: Readable,
  contentLengthHeader: string | undefined,
  limit: number,
): Promise<string> {
  const contentLength = Number(contentLengthHeader);
  if (contentLength > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit) {
        stop();
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      stop();
      if (!Number.isNaN(contentLength) && received !== contentLength)
        reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      else resolve(Buffer.concat(chunks, received).toString('utf8'));
    };
    const onError = (error: Error & { statusCode?: number }) => {
      stop();
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}
