import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * To-device messages leave the inbox when their device syncs past them. What is left is for a
 * device that stopped syncing (a wiped phone never logged out) or no longer exists: kept
 * `retention.undelivered_to_device_days`, and at once when its device is gone.
 */
export const toDevicePurge: Purge = {
  name: 'to-device',
  run(em, now, retention) {
    return countDeleted(
      em,
      `DELETE FROM device_inbox i
        WHERE i.created_ts < $1
           OR NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = i.user_id AND d.device_id = i.device_id)
       RETURNING 1`,
      [now - retention.undeliveredToDeviceMs],
    );
  },
};
