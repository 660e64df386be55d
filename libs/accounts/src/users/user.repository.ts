import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { UserEntity } from './user.entity';
import { AccessTokenCache } from '../tokens/access-token-cache';

@Injectable()
export class UserRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: AccessTokenCache,
  ) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  find(userId: string, em?: EntityManager): Promise<UserEntity | null> {
    return this.manager(em).findOneBy(UserEntity, { userId });
  }

  /** Erased by deactivation with `erase: true` (the table is the erasure's; docs/erasure.md). */
  async isErased(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM erased_users WHERE user_id = $1', [userId]);
    return rows.length > 0;
  }

  /** Whether any account that can still sign in is a server admin. */
  hasActiveAdmin(): Promise<boolean> {
    return this.dataSource.manager.existsBy(UserEntity, { isAdmin: true, deactivatedTs: IsNull() });
  }

  /** Inserts unless the handle was ever taken (deactivated accounts keep theirs); returns false then. */
  async insertIfFree(user: UserEntity, em: EntityManager): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values(user)
      .orIgnore()
      .returning(['user_id'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async setPasswordHash(userId: string, passwordHash: string | null, em?: EntityManager): Promise<void> {
    await this.manager(em).update(UserEntity, { userId }, { passwordHash });
  }

  async markDeactivated(userId: string, now: number, em: EntityManager): Promise<void> {
    await em.update(UserEntity, { userId }, { deactivatedTs: now, passwordHash: null });
    this.cache.forgetWhenCommitted(em, { userId });
  }

  async setAdmin(userId: string, isAdmin: boolean, em?: EntityManager): Promise<void> {
    await this.manager(em).update(UserEntity, { userId }, { isAdmin });
    this.cache.forgetWhenCommitted(this.manager(em), { userId });
  }

  list(
    options: { from: number; limit: number; includeDeactivated: boolean },
    em?: EntityManager,
  ): Promise<[UserEntity[], number]> {
    return this.manager(em).findAndCount(UserEntity, {
      where: options.includeDeactivated ? {} : { deactivatedTs: IsNull() },
      order: { userId: 'ASC' },
      skip: options.from,
      take: options.limit,
    });
  }
}
