import { MatrixError } from '@hearth/http';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const MAX_FILE_NAME_BYTES = 255;
const MAX_CONTENT_TYPE_LENGTH = 255;
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;.*)?$`);

/**
 * The Content-Type an upload is stored and served with. Spec v1.12: optional, default
 * application/octet-stream; one that is no media type at all (or absurdly long) gets the default
 * too, as clients mislabel and the mature servers accept, while serving decides inline or
 * attachment from it and nosniff keeps a browser to it.
 */
export function uploadContentType(header: string | undefined): string {
  const value = header?.trim();
  if (!value || value.length > MAX_CONTENT_TYPE_LENGTH || !MEDIA_TYPE.test(value)) return DEFAULT_CONTENT_TYPE;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return DEFAULT_CONTENT_TYPE;
  return value;
}

/**
 * The `filename` query parameter, echoed later in Content-Disposition. Never used as a path; a name
 * with control characters or longer than 255 bytes (what filesystems allow) is refused.
 */
export function uploadFileName(value: unknown): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw MatrixError.invalidParam('filename must be given once');
  if (Buffer.byteLength(value, 'utf8') > MAX_FILE_NAME_BYTES)
    throw MatrixError.invalidParam(`filename is longer than ${MAX_FILE_NAME_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw MatrixError.invalidParam('filename may not contain control characters');
  return value;
}

/** Content-Length as a number, or undefined when absent (a chunked body). */
export function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}
