import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/** As Synapse's CONNECTION_EXPIRY: a client away longer starts its sliding sync connection over. */
export const SLIDING_CONNECTION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Sliding sync connections (and, by cascade, their positions) no request used for 7 days. Every
 * answer stores a position, so a connection's last use is its newest position's `created_ts`
 * (its own `created_ts` before it had one). Its client's next `pos` is then `M_UNKNOWN_POS`, on
 * which the SDKs start over.
 */
export const slidingSyncConnectionsPurge: Purge = {
  name: 'sliding-sync-connections',
  run(em, now) {
    const before = now - SLIDING_CONNECTION_LIFETIME_MS;
    return countDeleted(
      em,
      `DELETE FROM sliding_sync_connections c
        WHERE c.created_ts < $1
          AND NOT EXISTS (SELECT 1 FROM sliding_sync_positions p WHERE p.connection_id = c.id AND p.created_ts >= $1)
        RETURNING 1`,
      [before],
    );
  },
};
