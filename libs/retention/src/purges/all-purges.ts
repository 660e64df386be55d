import { expiredTokensPurge } from './expired-tokens.purge';
import { messageRetentionPurge } from './message-retention.purge';
import { redactedContentPurge } from './redacted-content.purge';
import { notificationsPurge } from './notifications.purge';
import { outboxLeftoversPurge } from './outbox-leftovers.purge';
import { pendingMediaPurge } from './pending-media.purge';
import type { Purge } from './purge';
import { remoteKeysPurge } from './remote-keys.purge';
import { slidingSyncConnectionsPurge } from './sliding-sync-connections.purge';
import { toDevicePurge } from './to-device.purge';
import { transactionIdsPurge } from './transaction-ids.purge';
import { uiaSessionsPurge } from './uia-sessions.purge';
import { urlPreviewsPurge } from './url-previews.purge';

/**
 * Every purge the retention job runs, in this order. A new kind of transient row gets a file
 * beside these, a place in this list, and its lifetime in docs/privacy.md. The remote media cache
 * is purged after these by libs/media's RemoteMediaCachePurge (PurgeRunner adds it: it removes
 * bytes from the media store too). Next: local media no event references once message-retention
 * has purged the events that did.
 */
export const ALL_PURGES: readonly Purge[] = [
  uiaSessionsPurge,
  transactionIdsPurge,
  toDevicePurge,
  outboxLeftoversPurge,
  notificationsPurge,
  remoteKeysPurge,
  expiredTokensPurge,
  pendingMediaPurge,
  slidingSyncConnectionsPurge,
  urlPreviewsPurge,
  redactedContentPurge,
  messageRetentionPurge,
];
