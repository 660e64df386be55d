import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Media IDs handed out by `POST /media/v1/create` whose bytes never came: they lapse at
 * `unused_expires_ts` (24 hours, libs/media). The media lib clears a user's lapsed IDs when that
 * user creates another; this clears everyone's. No bytes are stored for them, so nothing else goes.
 */
export const pendingMediaPurge: Purge = {
  name: 'pending-media',
  run(em, now) {
    return countDeleted(em, 'DELETE FROM local_media WHERE sha256 IS NULL AND unused_expires_ts <= $1 RETURNING 1', [
      now,
    ]);
  },
};
