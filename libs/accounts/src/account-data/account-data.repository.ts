import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountDataEntity } from './account-data.entity';

@Injectable()
export class AccountDataRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(userId: string, roomId: string, type: string, em?: EntityManager): Promise<AccountDataEntity | null> {
    return (em ?? this.dataSource.manager).findOneBy(AccountDataEntity, { userId, roomId, type });
  }

  /**
   * Every write takes the next position from the account_data counter row (see the SyncStreams
   * migration), so positions become visible in order and readers see the change after their token.
   */
  /** Returns the write's position. */
  async put(userId: string, roomId: string, type: string, content: Record<string, unknown>): Promise<number> {
    const rows: Array<{ stream_id: string }> = await this.dataSource.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'account_data' RETURNING position)
       INSERT INTO account_data (user_id, room_id, type, content, stream_id)
       SELECT $1, $2, $3, $4, counter.position FROM counter
       ON CONFLICT (user_id, room_id, type)
       DO UPDATE SET content = EXCLUDED.content, stream_id = EXCLUDED.stream_id
       RETURNING stream_id`,
      [userId, roomId, type, JSON.stringify(content)],
    );
    return Number(rows[0]?.stream_id ?? 0);
  }

  /** Entries written in (since, upTo] (all of them from 0). */
  async changedSince(
    userId: string,
    since: number,
    upTo: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<Array<{ roomId: string; type: string; content: Record<string, unknown> }>> {
    const rows: Array<{ room_id: string; type: string; content: Record<string, unknown> }> = await em.query(
      'SELECT room_id, type, content FROM account_data WHERE user_id = $1 AND stream_id > $2 AND stream_id <= $3 ORDER BY stream_id',
      [userId, since, upTo],
    );
    return rows.map((row) => ({ roomId: row.room_id, type: row.type, content: row.content }));
  }
  /** Per room, the names of the owner's `m.tag` tags (rooms without tags are absent). */
  async tagNames(userId: string, em: EntityManager): Promise<Map<string, string[]>> {
    const rows: Array<{ room_id: string; tags: string[] }> = await em.query(
      `SELECT room_id, ARRAY(SELECT jsonb_object_keys(content -> 'tags')) AS tags FROM account_data
        WHERE user_id = $1 AND type = 'm.tag' AND room_id <> '' AND jsonb_typeof(content -> 'tags') = 'object'`,
      [userId],
    );
    return new Map(rows.map((row) => [row.room_id, row.tags]));
  }

  /**
   * Sets or removes one key of an entry's `tags` object in one statement (the m.tag shape), so
   * two tag changes at once cannot drop each other's. Returns the write's position.
   */
  async changeTag(userId: string, roomId: string, tag: string, value: Record<string, unknown> | null): Promise<number> {
    const rows: Array<{ stream_id: string }> = await this.dataSource.query(
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'account_data' RETURNING position)
       INSERT INTO account_data (user_id, room_id, type, content, stream_id)
       SELECT $1, $2, 'm.tag', jsonb_build_object('tags', jsonb_strip_nulls(jsonb_build_object($3::text, $4::jsonb))), counter.position
       FROM counter
       ON CONFLICT (user_id, room_id, type) DO UPDATE SET
         content = jsonb_set(
           account_data.content,
           '{tags}',
           CASE WHEN $4::jsonb IS NULL
             THEN COALESCE(account_data.content->'tags', '{}'::jsonb) - $3::text
             ELSE COALESCE(account_data.content->'tags', '{}'::jsonb) || jsonb_build_object($3::text, $4::jsonb)
           END),
         stream_id = EXCLUDED.stream_id
       RETURNING stream_id`,
      [userId, roomId, tag, value === null ? null : JSON.stringify(value)],
    );
    return Number(rows[0]?.stream_id ?? 0);
  }
}
