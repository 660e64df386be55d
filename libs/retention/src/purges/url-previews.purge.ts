import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Cached URL previews (libs/media) past their `expires_ts` (`media.url_previews.cache_minutes`,
 * an hour by default). The images they kept stay as local media without an uploader.
 */
export const urlPreviewsPurge: Purge = {
  name: 'url-previews',
  run(em, now) {
    return countDeleted(em, 'DELETE FROM url_previews WHERE expires_ts <= $1 RETURNING 1', [now]);
  },
};
