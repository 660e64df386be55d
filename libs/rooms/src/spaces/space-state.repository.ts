import { Injectable } from '@nestjs/common';
import type { RoomEvent } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

export interface SummaryState {
  /** Whether a user of the server asked about is joined. */
  readonly ours: boolean;
  readonly joinedMembers: number;
  /** The summary's state events and every `m.space.child` event. */
  readonly events: RoomEvent[];
}

/** What a room summary needs beyond a few state events: members counted, children and servers listed. */
@Injectable()
export class SpaceStateRepository {
  /** Everything the rooms' summaries are made of, in one statement: a walk reads a space's children at once. */
  async summaryStates(
    roomIds: readonly string[],
    serverName: string,
    types: readonly string[],
    em: EntityManager,
  ): Promise<Map<string, SummaryState>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{
      room_id: string;
      ours: boolean;
      joined: string;
      events: { event_id: string; pdu: object }[];
    }>(
      em,
      `SELECT r.room_id,
              EXISTS (SELECT 1 FROM current_state WHERE room_id = r.room_id AND type = 'm.room.member' AND membership = 'join'
                        AND right(state_key, length($2) + 1) = ':' || $2) AS ours,
              (SELECT count(*) FROM current_state WHERE room_id = r.room_id AND type = 'm.room.member' AND membership = 'join') AS joined,
              COALESCE((SELECT json_agg(json_build_object('event_id', e.event_id, 'pdu', e.pdu))
                          FROM current_state c JOIN events e ON e.event_id = c.event_id
                         WHERE c.room_id = r.room_id
                           AND ((c.type = ANY($3::text[]) AND c.state_key = '') OR c.type = 'm.space.child')),
                       '[]') AS events
         FROM unnest($1::text[]) AS r (room_id)`,
      [[...new Set(roomIds)], serverName, types],
    );
    return new Map(
      rows.map((row) => [
        row.room_id,
        {
          ours: row.ours,
          joinedMembers: Number(row.joined),
          events: row.events.map((item) => ({ ...(item.pdu as Omit<RoomEvent, 'event_id'>), event_id: item.event_id })),
        },
      ]),
    );
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
