import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AVAILABILITY_TYPE } from './availability-schedule';

/** The user's schedule as they keep it: global account data (room_id '' is global). */
@Injectable()
export class AvailabilityRepository {
  constructor(private readonly dataSource: DataSource) {}

  async scheduleContent(userId: string): Promise<unknown> {
    const rows: Array<{ content: unknown }> = await this.dataSource.query(
      `SELECT content FROM account_data WHERE user_id = $1 AND room_id = '' AND type = $2`,
      [userId, AVAILABILITY_TYPE],
    );
    return rows[0]?.content;
  }
}
