import { MatrixError } from '@hearth/http';

/** Spec (client media download, v1.11): what a client is told when another server's media cannot be had. */
export const remoteMediaErrors = {
  /** The origin answered, and has no such media. */
  notFound: () => MatrixError.notFound('Media not found'),
  /** Unreachable, timed out, or an answer that is not the spec's: the spec's 502. */
  unavailable: () => new MatrixError(502, 'M_UNKNOWN', 'Could not fetch the media from its server'),
  /** Spec: 502 M_TOO_LARGE, "the content is too large for the server to serve". */
  tooLarge: (maxBytes: number) =>
    new MatrixError(502, 'M_TOO_LARGE', `The remote media is larger than ${maxBytes} bytes`),
} as const;
