export type ProtocolErrorCode = 'NOT_JSON' | 'BAD_JSON' | 'INVALID_ID' | 'BAD_SIGNATURE' | 'BAD_KEY';

/** The one error type of libs/protocol; the HTTP layer maps `code` to a Matrix errcode. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
