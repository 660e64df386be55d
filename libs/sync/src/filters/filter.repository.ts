import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SyncFilter } from './sync-filter';

@Injectable()
export class FilterRepository {
  /** Filter IDs count up per user; the advisory lock keeps two concurrent uploads from taking one ID. */
  async insert(userId: string, filter: SyncFilter, em: EntityManager): Promise<number> {
    await em.query("SELECT pg_advisory_xact_lock(hashtext('user_filters:' || $1))", [userId]);
    const rows: Array<{ filter_id: string }> = await em.query(
      `INSERT INTO user_filters (user_id, filter_id, filter)
       SELECT $1, coalesce(max(filter_id), -1) + 1, $2 FROM user_filters WHERE user_id = $1
       RETURNING filter_id`,
      [userId, JSON.stringify(filter)],
    );
    return Number(rows[0]?.filter_id);
  }

  async find(userId: string, filterId: number, em: EntityManager): Promise<SyncFilter | undefined> {
    const rows: Array<{ filter: SyncFilter }> = await em.query(
      'SELECT filter FROM user_filters WHERE user_id = $1 AND filter_id = $2',
      [userId, filterId],
    );
    return rows[0]?.filter;
  }
}
