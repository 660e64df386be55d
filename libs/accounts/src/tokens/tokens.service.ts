import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import type { Requester } from '../auth/requester';
import { accountErrors } from '../account-errors';
import { hashToken, newOpaqueToken, ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from './token-format';
import { TokenRepository } from './token.repository';
import { AccessTokenCache } from './access-token-cache';

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly expires_in_ms?: number;
}

/** Access and refresh tokens (spec CS API "Access tokens" and "Refreshing access tokens"). */
@Injectable()
export class TokensService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly tokens: TokenRepository,
    private readonly tx: TransactionRunner,
    private readonly cache: AccessTokenCache,
  ) {}

  /** Clients that ask for a refresh token get an expiring access token; others a lasting one. */
  async issue(
    userId: string,
    deviceId: string,
    refreshable: boolean,
    em: EntityManager,
    now = Date.now(),
  ): Promise<IssuedTokens> {
    if (refreshable) return (await this.issueRefreshable(userId, deviceId, em, now)).issued;
    const accessToken = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    await this.tokens.insertAccessToken(
      { tokenHash: hashToken(accessToken), userId, deviceId, createdTs: now, expiresTs: null, refreshTokenId: null },
      em,
    );
    return { access_token: accessToken };
  }

  private async issueRefreshable(userId: string, deviceId: string, em: EntityManager, now: number) {
    const accessToken = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    const refreshToken = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    const lifetime = this.config.accounts.accessTokenLifetimeMs;
    const refreshTokenId = await this.tokens.insertRefreshToken(
      { tokenHash: hashToken(refreshToken), userId, deviceId, createdTs: now, expiresTs: null },
      em,
    );
    await this.tokens.insertAccessToken(
      {
        tokenHash: hashToken(accessToken),
        userId,
        deviceId,
        createdTs: now,
        expiresTs: now + lifetime,
        refreshTokenId,
      },
      em,
    );
    const issued: IssuedTokens = { access_token: accessToken, refresh_token: refreshToken, expires_in_ms: lifetime };
    return { issued, refreshTokenId };
  }

  /** Who holds this access token. Unknown: M_UNKNOWN_TOKEN; expired: the same with soft_logout. */
  async authenticate(accessToken: string, now = Date.now()): Promise<Requester> {
    const tokenHash = hashToken(accessToken);
    const owner = await this.cache.lookup(tokenHash, () => this.tokens.findAccessTokenOwner(tokenHash), now);
    if (!owner || owner.deactivated) throw accountErrors.unknownToken(false);
    if (owner.expiresTs !== null && owner.expiresTs <= now) throw accountErrors.unknownToken(true);
    if (!owner.used && owner.refreshTokenId !== null) {
      await this.tokens.markUsedAndRetirePredecessor(owner.tokenId, owner.refreshTokenId);
    }
    return { userId: owner.userId, deviceId: owner.deviceId, isAdmin: owner.isAdmin, accessTokenId: owner.tokenId };
  }

  /**
   * POST /refresh. The old refresh token keeps working until the pair it produced is used, so a
   * reply lost on the way does not log the client out; after that it is refused.
   */
  async refresh(refreshToken: string, now = Date.now()): Promise<IssuedTokens> {
    return this.tx.run(async (em) => {
      const current = await this.tokens.findRefreshToken(hashToken(refreshToken), em);
      if (!current || (current.expiresTs !== null && current.expiresTs <= now)) throw accountErrors.unknownToken(false);
      if (current.nextRefreshTokenId !== null) {
        if (await this.tokens.accessTokenUsedFor(current.nextRefreshTokenId, em))
          throw accountErrors.unknownToken(false);
        await this.tokens.deleteRefreshToken(current.nextRefreshTokenId, em);
      }
      const { issued, refreshTokenId } = await this.issueRefreshable(current.userId, current.deviceId, em, now);
      await this.tokens.linkNextRefreshToken(current.id, refreshTokenId, em);
      return issued;
    });
  }

  async revokeAccessToken(tokenId: number): Promise<void> {
    await this.tokens.deleteAccessToken(tokenId);
  }

  revokeDevice(userId: string, deviceId: string, em: EntityManager): Promise<void> {
    return this.tokens.deleteForDevice(userId, deviceId, em);
  }
}
