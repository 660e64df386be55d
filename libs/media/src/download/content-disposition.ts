/**
 * Spec "Serving inline content": the types a browser renders without running script in our
 * origin. Everything else is served as an attachment.
 */
const INLINE_TYPES = new Set([
  'text/css',
  'text/plain',
  'text/csv',
  'application/json',
  'application/ld+json',
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/mpeg',
  'audio/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wav',
  'audio/flac',
  'audio/x-flac',
]);

export function essenceOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isInlineType(contentType: string): boolean {
  return INLINE_TYPES.has(essenceOf(contentType));
}

/**
 * `inline` or `attachment`, with the upload's file name when it had one: plain ASCII as a quoted
 * `filename`, anything else as RFC 8187 `filename*=utf-8''...` (RFC 6266 §4.3).
 */
export function contentDisposition(contentType: string, fileName: string | null, forceInline = false): string {
  const kind = forceInline || isInlineType(contentType) ? 'inline' : 'attachment';
  if (!fileName) return kind;
  if (/^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName)) return `${kind}; filename="${fileName}"`;
  return `${kind}; filename*=utf-8''${encodeRfc8187(fileName)}`;
}

function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
