import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Requester } from '@hearth/accounts';
import { declaredContentType } from '@hearth/http';
import type { UploadRequest } from '@hearth/media';

/** The upload as the raw-stream route received it: the body unread (absent when empty). */
export function uploadRequestOf(request: FastifyRequest, who: Requester): UploadRequest {
  const body = request.body instanceof Readable ? request.body : Readable.from([]);
  return {
    uploader: who.userId,
    body,
    contentType: declaredContentType(request),
    contentLength: request.headers['content-length'],
    fileName: (request.query as Record<string, unknown> | undefined)?.filename,
  };
}
