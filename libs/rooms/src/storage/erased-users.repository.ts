import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Which senders were erased (the erased_users table, written by libs/sovereignty's erasure). */
@Injectable()
export class ErasedUsersRepository {
  async erasedAmong(userIds: readonly string[], em: EntityManager): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows: Array<{ user_id: string }> = await em.query(
      'SELECT user_id FROM erased_users WHERE user_id = ANY($1::text[])',
      [[...new Set(userIds)]],
    );
    return new Set(rows.map((row) => row.user_id));
  }
}
