import { Injectable } from '@nestjs/common';
import type { RoomEvent } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

/** What a room summary needs beyond a few state events: members counted, children and servers listed. */
@Injectable()
export class SpaceStateRepository {
  async spaceChildEvents(roomId: string, em: EntityManager): Promise<RoomEvent[]> {
    const rows = await queryRows<{ event_id: string; pdu: Omit<RoomEvent, 'event_id'> }>(
      em,
      `SELECT e.event_id, e.pdu FROM current_state c JOIN events e ON e.event_id = c.event_id
        WHERE c.room_id = $1 AND c.type = 'm.space.child'`,
      [roomId],
    );
    return rows.map((row) => ({ ...row.pdu, event_id: row.event_id }));
  }

  async joinedMemberCount(roomId: string, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      em,
      `SELECT count(*) AS count FROM current_state WHERE room_id = $1 AND type = 'm.room.member' AND membership = 'join'`,
      [roomId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Whether a user of `serverName` has the membership given (join, invite) in the room. */
  async serverHasMember(roomId: string, serverName: string, memberships: readonly string[], em: EntityManager) {
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM current_state
        WHERE room_id = $1 AND type = 'm.room.member' AND membership = ANY($3::text[])
          AND right(state_key, length($2) + 1) = ':' || $2
        LIMIT 1`,
      [roomId, serverName, memberships],
    );
    return rows.length > 0;
  }

  /** Whether the user is joined to any of the rooms. */
  async joinedToAny(userId: string, roomIds: readonly string[], em: EntityManager): Promise<boolean> {
    if (roomIds.length === 0) return false;
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM current_state
        WHERE room_id = ANY($2::text[]) AND type = 'm.room.member' AND state_key = $1 AND membership = 'join'
        LIMIT 1`,
      [userId, roomIds],
    );
    return rows.length > 0;
  }

  /** Whether a user of the server is joined to any of the rooms. */
  async serverJoinedToAny(serverName: string, roomIds: readonly string[], em: EntityManager): Promise<boolean> {
    if (roomIds.length === 0) return false;
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM current_state
        WHERE room_id = ANY($2::text[]) AND type = 'm.room.member' AND membership = 'join'
          AND right(state_key, length($1) + 1) = ':' || $1
        LIMIT 1`,
      [serverName, roomIds],
    );
    return rows.length > 0;
  }
}
