import type { Purge } from './purge';
import { queryCount } from './count-deleted';

/** As the accounts lib's own clean-up: a UIA session lives 15 minutes (UIA_SESSION_TTL_MS). */
export const UIA_SESSION_LIFETIME_MS = 15 * 60 * 1000;

/**
 * UIA sessions past their 15 minutes. A session holding a registration token's pending use gives
 * it back, as the accounts lib does when it sweeps at the start of a new session.
 */
export const uiaSessionsPurge: Purge = {
  name: 'uia-sessions',
  run(em, now) {
    return queryCount(
      em,
      `WITH expired AS (DELETE FROM uia_sessions WHERE created_ts < $1 RETURNING registration_token),
            held AS (SELECT registration_token AS token, count(*)::int AS uses FROM expired
                      WHERE registration_token IS NOT NULL GROUP BY registration_token),
            released AS (UPDATE registration_tokens t SET pending = GREATEST(t.pending - held.uses, 0)
                           FROM held WHERE t.token = held.token RETURNING 1)
       SELECT count(*)::int AS n FROM expired`,
      [now - UIA_SESSION_LIFETIME_MS],
    );
  },
};
