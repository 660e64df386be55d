import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

export interface DestinationState {
  readonly destination: string;
  readonly failures: number;
  readonly retryAt: number;
  readonly downSince: number | null;
  readonly lastError: string | null;
  readonly lastSuccessTs: number | null;
  /** Until when another sender holds it, if one does. */
  readonly leasedUntil: number | null;
}

interface DestinationRow {
  destination: string;
  failures: number;
  retry_at: string;
  down_since: string | null;
  last_error: string | null;
  last_success_ts: string | null;
  leased_until: string | null;
}

const COLUMNS = 'destination, failures, retry_at, down_since, last_error, last_success_ts, leased_until';

/** Each destination's health and lease: one sender at a time per destination, across processes. */
@Injectable()
export class DestinationRepository {
  /**
   * Takes the destination for `owner` until `leaseUntil` unless another sender holds it or its
   * backoff has not run out; returns its state when taken.
   */
  async lease(
    destination: string,
    owner: string,
    now: number,
    leaseUntil: number,
    em: EntityManager,
  ): Promise<DestinationState | undefined> {
    await em.query('INSERT INTO federation_destinations (destination) VALUES ($1) ON CONFLICT DO NOTHING', [
      destination,
    ]);
    const rows = await queryRows<DestinationRow>(
      em,
      `UPDATE federation_destinations SET leased_until = $4, lease_owner = $2
        WHERE destination = $1 AND retry_at <= $3 AND (leased_until IS NULL OR leased_until < $3 OR lease_owner = $2)
        RETURNING ${COLUMNS}`,
      [destination, owner, now, leaseUntil],
    );
    return rows[0] && toState(rows[0]);
  }

  async release(destination: string, owner: string, em: EntityManager): Promise<void> {
    await em.query(
      'UPDATE federation_destinations SET leased_until = NULL, lease_owner = NULL WHERE destination = $1 AND lease_owner = $2',
      [destination, owner],
    );
  }

  async succeeded(destination: string, now: number, em: EntityManager): Promise<void> {
    await em.query(
      'UPDATE federation_destinations SET failures = 0, retry_at = 0, down_since = NULL, last_error = NULL, last_success_ts = $2 WHERE destination = $1',
      [destination, now],
    );
  }

  async failed(destination: string, error: string, now: number, retryAt: number, em: EntityManager): Promise<void> {
    await em.query(
      'UPDATE federation_destinations SET failures = failures + 1, retry_at = $4, down_since = coalesce(down_since, $3), last_error = $2 WHERE destination = $1',
      [destination, error.slice(0, 500), now, retryAt],
    );
  }

  /** Spec (Synapse admin API): forget the backoff so that the next attempt is now. */
  async reset(destination: string, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ destination: string }>(
      em,
      'UPDATE federation_destinations SET failures = 0, retry_at = 0, down_since = NULL WHERE destination = $1 RETURNING destination',
      [destination],
    );
    return rows.length > 0;
  }

  async find(destination: string, em: EntityManager): Promise<DestinationState | undefined> {
    const rows = await queryRows<DestinationRow>(
      em,
      `SELECT ${COLUMNS} FROM federation_destinations WHERE destination = $1`,
      [destination],
    );
    return rows[0] && toState(rows[0]);
  }

  async list(
    from: number,
    limit: number,
    em: EntityManager,
  ): Promise<{ destinations: DestinationState[]; total: number }> {
    const rows = await queryRows<DestinationRow>(
      em,
      `SELECT ${COLUMNS} FROM federation_destinations ORDER BY destination OFFSET $1 LIMIT $2`,
      [from, limit],
    );
    const [count] = await queryRows<{ total: string }>(em, 'SELECT count(*) AS total FROM federation_destinations');
    return { destinations: rows.map(toState), total: Number(count?.total ?? 0) };
  }

  /** When each failing destination may be tried again. */
  async retryTimes(destinations: readonly string[], em: EntityManager): Promise<Map<string, number>> {
    if (destinations.length === 0) return new Map();
    const rows = await queryRows<{ destination: string; retry_at: string }>(
      em,
      'SELECT destination, retry_at FROM federation_destinations WHERE destination = ANY($1::text[])',
      [destinations],
    );
    return new Map(rows.map((row) => [row.destination, Number(row.retry_at)]));
  }
}

function toState(row: DestinationRow): DestinationState {
  return {
    destination: row.destination,
    failures: Number(row.failures),
    retryAt: Number(row.retry_at),
    downSince: row.down_since === null ? null : Number(row.down_since),
    lastError: row.last_error,
    lastSuccessTs: row.last_success_ts === null ? null : Number(row.last_success_ts),
    leasedUntil: row.leased_until === null ? null : Number(row.leased_until),
  };
}
