import type { Purge } from './purge';
import { countDeleted } from './count-deleted';

/**
 * Tokens that can no longer be used. Expired access tokens stay `retention.expired_tokens_days`
 * so a client presenting one still gets `soft_logout` (and refreshes) instead of being logged out;
 * expired refresh tokens take their access tokens with them (ON DELETE CASCADE); OpenID tokens
 * go at expiry.
 */
export const expiredTokensPurge: Purge = {
  name: 'expired-tokens',
  async run(em, now, retention) {
    const cutoff = now - retention.expiredTokensMs;
    return (
      (await countDeleted(em, 'DELETE FROM access_tokens WHERE expires_ts < $1 RETURNING 1', [cutoff])) +
      (await countDeleted(em, 'DELETE FROM refresh_tokens WHERE expires_ts < $1 RETURNING 1', [cutoff])) +
      (await countDeleted(em, 'DELETE FROM openid_tokens WHERE expires_ts < $1 RETURNING 1', [now]))
    );
  },
};
