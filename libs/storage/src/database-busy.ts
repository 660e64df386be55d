import { ServiceUnavailableException } from '@nestjs/common';

/** What pg-pool throws when no connection came free within `connectionTimeoutMillis`. */
const POOL_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/** Every pooled connection stayed busy for the whole wait: the server is overloaded, not broken (HTTP 503). */
export class DatabaseBusyError extends ServiceUnavailableException {
  constructor() {
    super('The server is busy; try again shortly');
  }
}

/** `error`, or a DatabaseBusyError when it is the pool giving up waiting for a connection. */
export function busyIfPoolExhausted(error: unknown): unknown {
  return error instanceof Error && error.message === POOL_TIMEOUT_MESSAGE ? new DatabaseBusyError() : error;
}
