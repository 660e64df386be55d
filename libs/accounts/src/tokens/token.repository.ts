import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedStatement, queryPrepared } from '@hearth/storage';
import { AccessTokenEntity } from './access-token.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { AccessTokenCache } from './access-token-cache';
import type { AccessTokenOwner } from './access-token-owner';

export type { AccessTokenOwner } from './access-token-owner';

const FIND_ACCESS_TOKEN_OWNER = preparedStatement(
  'access_token_owner',
  `SELECT t.id, t.user_id, t.device_id, t.expires_ts, t.used, t.refresh_token_id, u.is_admin, u.deactivated_ts
     FROM access_tokens t JOIN users u ON u.user_id = t.user_id
    WHERE t.token_hash = $1`,
);

@Injectable()
export class TokenRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AccessTokenCache,
  ) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  async insertAccessToken(token: Omit<AccessTokenEntity, 'id' | 'used'>, em: EntityManager): Promise<number> {
    const saved = await em.save(AccessTokenEntity, em.create(AccessTokenEntity, { ...token, used: false }));
    return saved.id;
  }

  async insertRefreshToken(
    token: Omit<RefreshTokenEntity, 'id' | 'nextRefreshTokenId'>,
    em: EntityManager,
  ): Promise<number> {
    const saved = await em.save(
      RefreshTokenEntity,
      em.create(RefreshTokenEntity, { ...token, nextRefreshTokenId: null }),
    );
    return saved.id;
  }

  /** One round trip on every authenticated request: the token, its user's flags. */
  async findAccessTokenOwner(tokenHash: Buffer): Promise<AccessTokenOwner | undefined> {
    const rows = await queryPrepared<Record<string, unknown>>(this.dataSource.manager, FIND_ACCESS_TOKEN_OWNER, [
      tokenHash,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      tokenId: Number(row.id),
      userId: row.user_id as string,
      deviceId: row.device_id as string,
      expiresTs: row.expires_ts === null ? null : Number(row.expires_ts),
      used: row.used as boolean,
      refreshTokenId: row.refresh_token_id === null ? null : Number(row.refresh_token_id),
      isAdmin: row.is_admin as boolean,
      deactivated: row.deactivated_ts !== null,
    };
  }

  findRefreshToken(tokenHash: Buffer, em: EntityManager): Promise<RefreshTokenEntity | null> {
    return em.findOne(RefreshTokenEntity, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  findRefreshTokenById(id: number, em: EntityManager): Promise<RefreshTokenEntity | null> {
    return em.findOneBy(RefreshTokenEntity, { id });
  }

  accessTokenUsedFor(refreshTokenId: number, em: EntityManager): Promise<boolean> {
    return em.existsBy(AccessTokenEntity, { refreshTokenId, used: true });
  }

  async linkNextRefreshToken(id: number, nextId: number, em: EntityManager): Promise<void> {
    await em.update(RefreshTokenEntity, { id }, { nextRefreshTokenId: nextId });
  }

  /** The access tokens it issued go with it (ON DELETE CASCADE). */
  async deleteRefreshToken(id: number, em: EntityManager): Promise<void> {
    await em.delete(RefreshTokenEntity, { id });
    this.cache.forgetWhenCommitted(em, { refreshTokenId: id });
  }

  /**
   * First use of a refreshed pair: mark it used and retire the refresh token it replaced (with
   * the access tokens that token had issued, by cascade).
   */
  async markUsedAndRetirePredecessor(tokenId: number, refreshTokenId: number | null): Promise<void> {
    const retired = await this.dataSource.transaction(async (em) => {
      await em.update(AccessTokenEntity, { id: tokenId }, { used: true });
      if (refreshTokenId === null) return [];
      const deleted = await em
        .createQueryBuilder()
        .delete()
        .from(RefreshTokenEntity)
        .where({ nextRefreshTokenId: refreshTokenId })
        .returning('id')
        .execute();
      return (deleted.raw as Array<{ id: string | number }>).map((row) => Number(row.id));
    });
    for (const id of retired) this.cache.forgetWhenCommitted(this.dataSource.manager, { refreshTokenId: id });
  }

  async deleteAccessToken(tokenId: number, em?: EntityManager): Promise<void> {
    await this.manager(em).delete(AccessTokenEntity, { id: tokenId });
    this.cache.forgetWhenCommitted(this.manager(em), { tokenId });
  }

  async deleteForDevice(userId: string, deviceId: string, em: EntityManager): Promise<void> {
    await em.delete(AccessTokenEntity, { userId, deviceId });
    await em.delete(RefreshTokenEntity, { userId, deviceId });
    this.cache.forgetWhenCommitted(em, { userId });
  }
}
