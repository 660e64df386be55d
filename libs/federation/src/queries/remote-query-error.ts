import { MatrixError } from '@hearth/http';
import { FederationAnswerError, FederationRequestError, FederationUnreachableError } from '@hearth/federation-client';

/** How long a client waits for another server to answer a query on its behalf. */
export const CLIENT_QUERY_TIMEOUT_MS = 10_000;

/**
 * What a client is told when another server did not answer a query made for it: the statuses in
 * `passThrough` as that server gave them (with its errcode when it sent a Matrix one), any other
 * status, no answer at all, and an answer of the wrong shape, as 502. The CS API lists no status for "the other server failed";
 * Synapse answers 502 here too, which clients treat as a server error worth retrying later.
 * Anything but a federation error is returned as it is, to reach the exception filter.
 */
export function remoteQueryError(error: unknown, server: string, passThrough: readonly number[]): unknown {
  if (error instanceof FederationRequestError && passThrough.includes(error.status)) {
    const errcode = error.errcode?.startsWith('M_')
      ? (error.errcode as `M_${string}`)
      : error.status === 404
        ? 'M_NOT_FOUND'
        : 'M_FORBIDDEN';
    return new MatrixError(error.status, errcode, `${server} answered: ${error.reason.slice(0, 200)}`);
  }
  if (
    error instanceof FederationRequestError ||
    error instanceof FederationUnreachableError ||
    error instanceof FederationAnswerError
  )
    return new MatrixError(502, 'M_UNKNOWN', `${server} could not be asked`);
  return error;
}
