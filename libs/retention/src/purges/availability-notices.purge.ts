import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Records of back-at notices sent (libs/sovereignty), once the off period they were sent in is
 * over: they only hold back a second notice to the same sender within that period.
 */
export const availabilityNoticesPurge: Purge = {
  name: 'availability-notices',
  run(em, now) {
    return countDeleted(em, 'DELETE FROM availability_notices WHERE back_ts <= $1 RETURNING 1', [now]);
  },
};
