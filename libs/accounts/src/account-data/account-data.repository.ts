import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountDataEntity } from './account-data.entity';

@Injectable()
export class AccountDataRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(userId: string, roomId: string, type: string): Promise<AccountDataEntity | null> {
    return this.dataSource.manager.findOneBy(AccountDataEntity, { userId, roomId, type });
  }

  /** Every write takes a new stream position, so readers see the change after their token. */
  async put(userId: string, roomId: string, type: string, content: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO account_data (user_id, room_id, type, content, stream_id)
       VALUES ($1, $2, $3, $4, nextval(pg_get_serial_sequence('account_data', 'stream_id')))
       ON CONFLICT (user_id, room_id, type)
       DO UPDATE SET content = EXCLUDED.content, stream_id = EXCLUDED.stream_id`,
      [userId, roomId, type, JSON.stringify(content)],
    );
  }
}
