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

  /** The schedules of these users that have one, in one statement. */
  async scheduleContents(userIds: readonly string[], em: EntityManager): Promise<Map<string, unknown>> {
    const rows: Array<{ user_id: string; content: unknown }> = await em.query(
      `SELECT user_id, content FROM account_data WHERE user_id = ANY($1::text[]) AND room_id = '' AND type = $2`,
      [userIds, AVAILABILITY_TYPE],
    );
    return new Map(rows.map((row) => [row.user_id, row.content]));
  }
}
