import { MatrixError } from '@hearth/http';

export const mediaErrors = {
  notFound: () => MatrixError.notFound('Media not found'),
  tooLarge: (maxBytes: number) => MatrixError.tooLarge(`Cannot upload files larger than ${maxBytes} bytes`),
  quotaExceeded: () => MatrixError.forbidden('Media quota exceeded'),
  notYetUploaded: () => new MatrixError(504, 'M_NOT_YET_UPLOADED', 'Content has not yet been uploaded'),
  cannotOverwrite: () => new MatrixError(409, 'M_CANNOT_OVERWRITE_MEDIA', 'Media already uploaded'),
  notCreator: () => MatrixError.forbidden('This media ID was created by another user'),
  tooManyPending: () =>
    new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too many pending uploads', { retry_after_ms: 60_000 }),
  cannotThumbnail: (why: string) => new MatrixError(400, 'M_UNKNOWN', `Cannot generate a thumbnail: ${why}`),
  imageTooLarge: () => MatrixError.tooLarge('Image is too large to thumbnail'),
} as const;
