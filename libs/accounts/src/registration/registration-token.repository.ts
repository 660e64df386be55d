import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RegistrationTokenEntity } from './registration-token.entity';

@Injectable()
export class RegistrationTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  find(token: string, em?: EntityManager): Promise<RegistrationTokenEntity | null> {
    return this.manager(em).findOneBy(RegistrationTokenEntity, { token });
  }

  list(em?: EntityManager): Promise<RegistrationTokenEntity[]> {
    return this.manager(em).find(RegistrationTokenEntity, { order: { createdTs: 'ASC' } });
  }

  /** False when the token already exists. */
  async insert(token: RegistrationTokenEntity, em?: EntityManager): Promise<boolean> {
    const result = await this.manager(em)
      .createQueryBuilder()
      .insert()
      .into(RegistrationTokenEntity)
      .values(token)
      .orIgnore()
      .returning(['token'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async update(
    token: string,
    changes: Partial<Pick<RegistrationTokenEntity, 'usesAllowed' | 'expiryTime'>>,
    em?: EntityManager,
  ): Promise<void> {
    await this.manager(em).update(RegistrationTokenEntity, { token }, changes);
  }

  async delete(token: string, em?: EntityManager): Promise<boolean> {
    const result = await this.manager(em).delete(RegistrationTokenEntity, { token });
    return (result.affected ?? 0) > 0;
  }

  /** Reserves one use for a UIA session, atomically, if the token is valid and has a use left. */
  async reservePendingUse(token: string, now: number, em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `UPDATE registration_tokens SET pending = pending + 1
        WHERE token = $1 AND (expiry_time IS NULL OR expiry_time > $2)
          AND (uses_allowed IS NULL OR pending + completed < uses_allowed)
        RETURNING token`,
      [token, now],
    );
    return rowCount(rows) > 0;
  }

  /** A registration that used a reserved use completed. */
  async completePendingUse(token: string, em: EntityManager): Promise<void> {
    await em.query(
      'UPDATE registration_tokens SET pending = pending - 1, completed = completed + 1 WHERE token = $1 AND pending > 0',
      [token],
    );
  }

  async releasePendingUse(token: string, em: EntityManager): Promise<void> {
    await em.query('UPDATE registration_tokens SET pending = pending - 1 WHERE token = $1 AND pending > 0', [token]);
  }
}

/** `UPDATE ... RETURNING` through TypeORM's pg driver answers `[rows, count]`. */
function rowCount(result: unknown[]): number {
  const [rows] = result;
  return Array.isArray(rows) ? rows.length : 0;
}
