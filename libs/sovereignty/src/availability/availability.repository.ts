import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AVAILABILITY_TYPE } from './availability-schedule';

/** The user's schedule as they keep it: global account data (room_id '' is global). */
@Injectable()
export class AvailabilityRepository {
  async scheduleContent(userId: string, em: EntityManager): Promise<unknown> {
    const rows: Array<{ content: unknown }> = await em.query(
      `SELECT content FROM account_data WHERE user_id = $1 AND room_id = '' AND type = $2`,
      [userId, AVAILABILITY_TYPE],
    );
    return rows[0]?.content;
  }
}
