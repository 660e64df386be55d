import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

export interface RoomRow {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly creator: string;
}

@Injectable()
export class RoomRepository {
  async insert(room: RoomRow, now: number, em: EntityManager): Promise<void> {
    await em.query('INSERT INTO rooms (room_id, room_version, creator, created_ts) VALUES ($1, $2, $3, $4)', [
      room.roomId,
      room.roomVersion,
      room.creator,
      now,
    ]);
  }

  async find(roomId: string, em: EntityManager): Promise<RoomRow | undefined> {
    const rows = await queryRows<{ room_id: string; room_version: string; creator: string }>(
      em,
      'SELECT room_id, room_version, creator FROM rooms WHERE room_id = $1',
      [roomId],
    );
    return rows[0] && { roomId: rows[0].room_id, roomVersion: rows[0].room_version, creator: rows[0].creator };
  }

  /** Serialises writers of one room for the rest of the transaction; other rooms are unaffected. */
  async lockForWrite(roomId: string, em: EntityManager): Promise<RoomRow | undefined> {
    const rows = await queryRows<{ room_id: string; room_version: string; creator: string }>(
      em,
      'SELECT room_id, room_version, creator FROM rooms WHERE room_id = $1 FOR UPDATE',
      [roomId],
    );
    return rows[0] && { roomId: rows[0].room_id, roomVersion: rows[0].room_version, creator: rows[0].creator };
  }
}
