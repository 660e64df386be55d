import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';

interface Holding {
  released: boolean;
}

export interface ConnectingPool {
  connect(...args: unknown[]): unknown;
}

const holding = new AsyncLocalStorage<Holding>();
/** Off until a pool is guarded: the context it keeps costs every promise a little (Node 20's async hooks). */
let guarding = false;
const logger = new Logger('Database');
const reported = new Set<string>();

/** Thrown where a second pooled connection is asked for by work that already holds one. */
export class NestedConnectionError extends Error {
  constructor() {
    super(
      'A pooled database connection was requested by work that already holds one: pass its EntityManager down instead',
    );
    this.name = 'NestedConnectionError';
  }
}

/** Runs `work` as holding a pooled connection until it settles (TransactionRunner's run and read). */
export async function whileHoldingConnection<T>(work: () => Promise<T>): Promise<T> {
  if (!guarding) return work();
  const held: Holding = { released: false };
  try {
    return await holding.run(held, work);
  } finally {
    // Work it started without awaiting may outlive it; that work holds nothing.
    held.released = true;
  }
}

/**
 * Makes the pool refuse, loudly, a connection asked for by work that holds one already. Such a
 * request waits for a connection while keeping one busy: with the embedded database's single
 * connection it can never be served (the request hung, then answered 503), and with PostgreSQL's
 * pool ten of them at once wait on each other until the connection timeout. So it is a bug in
 * either case, and `strict` throws at once, logging each place once with its stack; otherwise it
 * is only logged.
 */
export function guardNestedConnections(pool: ConnectingPool, options: { strict: boolean }): void {
  guarding = true;
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => {
    const held = holding.getStore();
    if (held && !held.released) refuseOrReport(options.strict);
    return connect(...args);
  };
}

function refuseOrReport(strict: boolean): void {
  const error = new NestedConnectionError();
  const stack = error.stack ?? error.message;
  if (!reported.has(stack)) {
    reported.add(stack);
    logger.error(stack);
  }
  if (strict) throw error;
}
