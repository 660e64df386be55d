import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { queryRows, TransactionRunner } from '@hearth/storage';
import { hashToken, newOpaqueToken } from '../tokens/token-format';

const OPENID_TOKEN_PREFIX = 'hot_';
const OPENID_TOKEN_LIFETIME_MS = 3600 * 1000;

/**
 * Spec CS API "OpenID": a short-lived token a user gives a third party, which asks our server
 * (`GET /_matrix/federation/v1/openid/userinfo`) who it belongs to. It proves nothing else and
 * opens nothing else.
 */
@Injectable()
export class OpenIdTokensService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly tx: TransactionRunner,
  ) {}

  async issue(
    requester: string,
    userId: string,
    now = Date.now(),
  ): Promise<{ access_token: string; token_type: 'Bearer'; matrix_server_name: string; expires_in: number }> {
    if (requester !== userId) throw MatrixError.forbidden('You can only request OpenID tokens for yourself');
    const token = newOpaqueToken(OPENID_TOKEN_PREFIX);
    await this.tx.run(async (em) => {
      await em.query('DELETE FROM openid_tokens WHERE expires_ts < $1', [now]);
      await em.query('INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES ($1, $2, $3)', [
        hashToken(token),
        userId,
        now + OPENID_TOKEN_LIFETIME_MS,
      ]);
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      matrix_server_name: this.config.serverName,
      expires_in: OPENID_TOKEN_LIFETIME_MS / 1000,
    };
  }

  /** The user a valid token belongs to; 401 M_UNKNOWN_TOKEN for anything else. */
  async userOf(token: string, now = Date.now()): Promise<string> {
    const rows = await this.tx.read((em) =>
      queryRows<{ user_id: string }>(
        em,
        'SELECT user_id FROM openid_tokens WHERE token_hash = $1 AND expires_ts > $2',
        [hashToken(token), now],
      ),
    );
    const userId = rows[0]?.user_id;
    if (userId === undefined) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unknown or expired OpenID token');
    return userId;
  }
}
