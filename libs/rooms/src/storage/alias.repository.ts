import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

@Injectable()
export class AliasRepository {
  /** False when the alias is taken. */
  async insert(alias: string, roomId: string, creator: string, now: number, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ room_alias: string }>(
      em,
      'INSERT INTO room_aliases (room_alias, room_id, creator, created_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING room_alias',
      [alias, roomId, creator, now],
    );
    return rows.length > 0;
  }

  async find(alias: string, em: EntityManager): Promise<{ roomId: string; creator: string } | undefined> {
    const rows = await queryRows<{ room_id: string; creator: string }>(
      em,
      'SELECT room_id, creator FROM room_aliases WHERE room_alias = $1',
      [alias],
    );
    return rows[0] && { roomId: rows[0].room_id, creator: rows[0].creator };
  }

  async delete(alias: string, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM room_aliases WHERE room_alias = $1', [alias]);
  }

  async forRoom(roomId: string, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ room_alias: string }>(
      em,
      'SELECT room_alias FROM room_aliases WHERE room_id = $1 ORDER BY room_alias',
      [roomId],
    );
    return rows.map((row) => row.room_alias);
  }
}
