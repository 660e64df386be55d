import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import { AvailabilityDefault } from './availability-default';

export interface StoredAvailabilityDefault extends AvailabilityDefault {
  readonly updated_ts: number;
}

/** The organisation's default schedule: one row at most (`id = 1`). */
@Injectable()
export class AvailabilityDefaultRepository {
  async find(em: EntityManager): Promise<StoredAvailabilityDefault | undefined> {
    const rows: Array<{ schedule: unknown; users_may: unknown; updated_ts: string }> = await em.query(
      'SELECT schedule, users_may, updated_ts FROM availability_default WHERE id = 1',
    );
    const row = rows[0];
    if (!row) return undefined;
    // Stored only after it parsed; parsing again fills defaults that later versions add.
    const parsed = AvailabilityDefault.parse({ schedule: row.schedule, users_may: row.users_may });
    return { ...parsed, updated_ts: Number(row.updated_ts) };
  }

  async save(value: AvailabilityDefault, now: number, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO availability_default (id, schedule, users_may, updated_ts) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET schedule = $1, users_may = $2, updated_ts = $3`,
      [JSON.stringify(value.schedule), JSON.stringify(value.users_may), now],
    );
  }

  async delete(em: EntityManager): Promise<boolean> {
    const deleted = await queryRows(em, 'DELETE FROM availability_default WHERE id = 1 RETURNING id');
    return deleted.length > 0;
  }
}
