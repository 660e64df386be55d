import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * What a destination never took. A server down this long is caught up with each room's newest
 * event when it returns (delivery.catch_up_after_minutes) and fetches the rest itself, so the
 * older rows only record who wrote to whom.
 */
export const outboxLeftoversPurge: Purge = {
  name: 'outbox-leftovers',
  run(em, now, retention) {
    return countDeleted(em, 'DELETE FROM federation_outbox WHERE created_ts < $1 RETURNING 1', [
      now - retention.outboxLeftoversMs,
    ]);
  },
};
