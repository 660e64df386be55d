export type MatrixErrorCode = `M_${string}`;

/**
 * The one error type of the HTTP surface. The exception filter turns it into
 * `{errcode, error, ...extra}` with `status`; nothing else reaches a client as detail.
 */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: MatrixErrorCode,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
  }

  toBody(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }

  static unrecognized(message = 'Unrecognized request'): MatrixError {
    return new MatrixError(404, 'M_UNRECOGNIZED', message);
  }

  static methodNotAllowed(allowed: readonly string[]): MatrixError {
    return new MatrixError(
      405,
      'M_UNRECOGNIZED',
      'Method not allowed for this endpoint',
      {},
      { allow: allowed.join(', ') },
    );
  }

  static notFound(message: string): MatrixError {
    return new MatrixError(404, 'M_NOT_FOUND', message);
  }

  static notJson(message = 'Content not JSON'): MatrixError {
    return new MatrixError(400, 'M_NOT_JSON', message);
  }

  static badJson(message: string): MatrixError {
    return new MatrixError(400, 'M_BAD_JSON', message);
  }

  static missingParam(message: string): MatrixError {
    return new MatrixError(400, 'M_MISSING_PARAM', message);
  }

  static invalidParam(message: string): MatrixError {
    return new MatrixError(400, 'M_INVALID_PARAM', message);
  }

  static tooLarge(message = 'Request body too large'): MatrixError {
    return new MatrixError(413, 'M_TOO_LARGE', message);
  }

  static forbidden(message: string): MatrixError {
    return new MatrixError(403, 'M_FORBIDDEN', message);
  }

  /** Federation requests whose X-Matrix signature is missing, malformed, wrong or meant for another server. */
  static unauthorized(message: string): MatrixError {
    return new MatrixError(401, 'M_UNAUTHORIZED', message);
  }

  /** Overloaded for now (every database connection busy): clients retry 5xx with backoff. */
  static unavailable(message: string, retryAfterSeconds = 5): MatrixError {
    return new MatrixError(503, 'M_UNKNOWN', message, {}, { 'retry-after': String(retryAfterSeconds) });
  }

  static unknown(message = 'Internal server error'): MatrixError {
    return new MatrixError(500, 'M_UNKNOWN', message);
  }
}
