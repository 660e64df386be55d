import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Other servers' keys `retention.remote_keys_days` after they stopped being valid: a key needed
 * again (an old event to check) is fetched again, from the server or a notary. Our own keys are
 * never touched.
 */
export const remoteKeysPurge: Purge = {
  name: 'remote-keys',
  async run(em, now, retention, serverName) {
    const cutoff = now - retention.remoteKeysMs;
    return (
      (await countDeleted(
        em,
        `DELETE FROM server_keys
          WHERE server_name <> $2 AND COALESCE(expired_ts, valid_until_ts) < $1 RETURNING 1`,
        [cutoff, serverName],
      )) +
      (await countDeleted(
        em,
        'DELETE FROM server_key_documents WHERE server_name <> $2 AND valid_until_ts < $1 RETURNING 1',
        [cutoff, serverName],
      ))
    );
  },
};
