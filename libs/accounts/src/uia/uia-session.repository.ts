import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UiaSessionEntity } from './uia-session.entity';

@Injectable()
export class UiaSessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  async insert(session: UiaSessionEntity, em?: EntityManager): Promise<void> {
    await this.manager(em).save(UiaSessionEntity, session);
  }

  find(sessionId: string, em?: EntityManager): Promise<UiaSessionEntity | null> {
    return this.manager(em).findOneBy(UiaSessionEntity, { sessionId });
  }

  /** The session with its row locked until `em`'s transaction ends: one request at a time completes its stages. */
  findForUpdate(sessionId: string, em: EntityManager): Promise<UiaSessionEntity | null> {
    return em.findOne(UiaSessionEntity, { where: { sessionId }, lock: { mode: 'pessimistic_write' } });
  }

  async save(session: UiaSessionEntity, em?: EntityManager): Promise<void> {
    await this.manager(em).update(
      UiaSessionEntity,
      { sessionId: session.sessionId },
      { completed: session.completed, registrationToken: session.registrationToken },
    );
  }

  /** True only for the one caller that deletes the row: a session authorises one operation. */
  async consume(sessionId: string, em: EntityManager): Promise<boolean> {
    const result = await em.delete(UiaSessionEntity, { sessionId });
    return (result.affected ?? 0) > 0;
  }

  /** Removes sessions created before `cutoff`; returns the registration tokens they held. */
  async deleteExpired(cutoff: number, em: EntityManager): Promise<string[]> {
    const result: unknown[] = await em.query(
      'DELETE FROM uia_sessions WHERE created_ts < $1 RETURNING registration_token',
      [cutoff],
    );
    const rows = (Array.isArray(result[0]) ? result[0] : []) as Array<{ registration_token: string | null }>;
    return rows.map((row) => row.registration_token).filter((token): token is string => token !== null);
  }
}
