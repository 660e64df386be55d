import { Injectable, Logger, type OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { busyIfPoolExhausted, DatabaseBusyError } from './database-busy';

/** The database cannot be reached: connections refused or lost, or the server shutting down (HTTP 503, like a saturated pool). */
export class DatabaseUnavailableError extends ServiceUnavailableException {
  constructor() {
    super('The database is unavailable; try again shortly');
  }
}

/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean the server, not the query: 57P01 admin_shutdown (a fast shutdown or
 * pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting
 * down), 53300 too_many_connections; and class 08, connection exceptions.
 */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg says when the socket closes under a query, or a client is used after that. */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed)/;

/** Whether `error` (or what it wraps: TypeORM's driverError, a cause, an AggregateError's errors) is a lost or refused connection. */
export function isConnectionFailure(error: unknown, seen = 0): boolean {
  if (typeof error !== 'object' || error === null || seen > 4) return false;
  const { code, message, driverError, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
    return true;
  if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isConnectionFailure(inner, seen + 1))) return true;
  return isConnectionFailure(driverError, seen + 1) || isConnectionFailure(cause, seen + 1);
}

const PROBE_INTERVAL_MS = 1000;
const BUSY_WARNING_INTERVAL_MS = 60_000;

/**
 * Names the database's own failures for the HTTP surface (`translateError`): every connection
 * busy for the whole wait, or the database unreachable, are both 503 with Retry-After, not 500s.
 * It logs each condition once, not once a request: a warning when an outage begins, and (probing
 * every second until a query succeeds) an info line when it ends; a saturated pool at most once
 * a minute.
 */
@Injectable()
export class DatabaseAvailability implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private outage: { since: number; refused: number; probe: NodeJS.Timeout | undefined } | undefined;
  private busy = { lastWarning: 0, since: 0 };
  private closed = false;

  constructor(private readonly dataSource: DataSource) {}

  readonly translate = (error: unknown): unknown => {
    const busy = busyIfPoolExhausted(error);
    if (busy instanceof DatabaseBusyError) {
      this.noteBusy();
      return busy;
    }
    if (!isConnectionFailure(error)) return error;
    this.noteUnavailable(error);
    return new DatabaseUnavailableError();
  };

  onModuleDestroy(): void {
    this.closed = true;
    clearTimeout(this.outage?.probe);
  }

  private noteUnavailable(error: unknown): void {
    if (this.outage) {
      this.outage.refused++;
      return;
    }
    this.outage = { since: Date.now(), refused: 1, probe: undefined };
    this.logger.warn(`The database is unreachable (${(error as Error).message}); answering 503 until it is back`);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (!this.outage || this.closed) return;
    this.outage.probe = setTimeout(() => void this.probe(), PROBE_INTERVAL_MS);
    this.outage.probe.unref();
  }

  private async probe(): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      this.scheduleProbe();
      return;
    }
    const outage = this.outage;
    this.outage = undefined;
    if (outage)
      this.logger.log(
        `The database is reachable again after ${Math.round((Date.now() - outage.since) / 1000)} s (${outage.refused} requests answered 503)`,
      );
  }

  private noteBusy(): void {
    const now = Date.now();
    this.busy.since++;
    if (now - this.busy.lastWarning < BUSY_WARNING_INTERVAL_MS) return;
    this.logger.warn(
      `Every database connection stayed busy for the whole wait; answering 503 (${this.busy.since} requests since the last warning)`,
    );
    this.busy = { lastWarning: now, since: 0 };
  }
}
