/** The peer answered, with an error status. */
export class FederationRequestError extends Error {
  constructor(
    readonly destination: string,
    readonly status: number,
    readonly errcode: string | undefined,
    /** The peer's own `error` text (or the status). */
    readonly reason: string,
  ) {
    super(`${destination} answered ${status}${errcode ? ` ${errcode}` : ''}: ${reason}`);
    this.name = 'FederationRequestError';
  }
}

/** No usable answer: refused by our policy, unresolvable, unreachable, timed out, or not JSON. */
export class FederationUnreachableError extends Error {
  constructor(
    readonly destination: string,
    reason: string,
  ) {
    super(`${destination} could not be reached: ${reason}`);
    this.name = 'FederationUnreachableError';
  }
}

/**
 * The peer answered with success and a body that does not have the shape the spec gives it (the
 * schemas in @hearth/protocol's wire folder): as unusable as no answer, but the peer's fault.
 */
export class FederationAnswerError extends Error {
  constructor(
    readonly destination: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${destination} answered ${path.split('?', 1)[0]} with a malformed body: ${reason}`);
    this.name = 'FederationAnswerError';
  }
}
