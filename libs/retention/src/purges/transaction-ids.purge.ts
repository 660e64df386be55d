import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Transaction IDs make a retried request idempotent; a client or server retries within minutes,
 * so after `retention.transaction_ids_hours` they only say who did what when.
 */
export const transactionIdsPurge: Purge = {
  name: 'transaction-ids',
  async run(em, now, retention) {
    const cutoff = now - retention.transactionIdsMs;
    return (
      (await countDeleted(em, 'DELETE FROM event_txns WHERE created_ts < $1 RETURNING 1', [cutoff])) +
      (await countDeleted(em, 'DELETE FROM to_device_txns WHERE created_ts < $1 RETURNING 1', [cutoff])) +
      (await countDeleted(em, 'DELETE FROM federation_inbound_txns WHERE received_ts < $1 RETURNING 1', [cutoff]))
    );
  },
};
