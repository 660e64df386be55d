import type { Purge } from './purge';
import { replaceWithRedactedCopies } from './redacted-copies';

/**
 * A redacted event is served redacted at once, but its original content stays stored (moderators
 * and event reports may need it) for `retention.redacted_content_days` after the redaction, as
 * Synapse's redaction_retention_period; then the stored PDU becomes its redacted form.
 */
export const redactedContentPurge: Purge = {
  name: 'redacted-content',
  run(em, now, retention) {
    return replaceWithRedactedCopies(
      em,
      `SELECT e.event_id, e.pdu, r.room_version FROM events e
         JOIN rooms r ON r.room_id = e.room_id
         JOIN events redaction ON redaction.event_id = e.redacted_by
        WHERE e.redacted_by IS NOT NULL AND e.content_purged_ts IS NULL AND redaction.origin_server_ts < $2
        LIMIT $1`,
      [now - retention.redactedContentMs],
      now,
    );
  },
};
