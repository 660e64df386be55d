import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type RoomEvent, type StateKeyTuple } from '@hearth/protocol';

export type StateIds = ReadonlyMap<StateKeyTuple, string>;

/** Reads state: groups of deltas (see docs/rooms.md; EventPipeline writes them) and the room's current state as plain rows. */
@Injectable()
export class StateRepository {
  /** A group's full state, or only the given tuples of it, walking the delta chain once. */
  async loadGroup(
    group: number,
    em: EntityManager,
    only?: readonly StateKeyTuple[],
  ): Promise<Map<StateKeyTuple, string>> {
    const split = only?.map(splitStateKeyTuple);
    const filter = split
      ? 'JOIN unnest($2::text[], $3::text[]) AS wanted (type, state_key) ON wanted.type = e.type AND wanted.state_key = e.state_key'
      : '';
    const rows = await queryRows<{ type: string; state_key: string; event_id: string }>(
      em,
      `WITH RECURSIVE chain (id, prev_group, n) AS (
         SELECT id, prev_group, 0 FROM state_groups WHERE id = $1
         UNION ALL
         SELECT g.id, g.prev_group, c.n + 1 FROM state_groups g JOIN chain c ON g.id = c.prev_group
       )
       SELECT DISTINCT ON (e.type, e.state_key) e.type, e.state_key, e.event_id
         FROM chain c JOIN state_group_entries e ON e.state_group = c.id ${filter}
        ORDER BY e.type, e.state_key, c.n ASC`,
      split ? [group, split.map((t) => t.type), split.map((t) => t.stateKey)] : [group],
    );
    return new Map(rows.map((row) => [stateKeyTuple(row.type, row.state_key), row.event_id]));
  }

  /** The full state of many groups, or only the given tuples of each, walking all their delta chains in one statement. */
  async loadGroups(
    groups: readonly number[],
    em: EntityManager,
    only?: readonly StateKeyTuple[],
  ): Promise<Map<number, Map<StateKeyTuple, string>>> {
    const result = new Map<number, Map<StateKeyTuple, string>>(groups.map((group) => [group, new Map()]));
    if (groups.length === 0) return result;
    const split = only?.map(splitStateKeyTuple);
    const filter = split
      ? 'JOIN unnest($2::text[], $3::text[]) AS wanted (type, state_key) ON wanted.type = e.type AND wanted.state_key = e.state_key'
      : '';
    const rows = await queryRows<{ root: string; type: string; state_key: string; event_id: string }>(
      em,
      `WITH RECURSIVE chain (root, id, prev_group, n) AS (
         SELECT id, id, prev_group, 0 FROM state_groups WHERE id = ANY($1::bigint[])
         UNION ALL
         SELECT c.root, g.id, g.prev_group, c.n + 1 FROM state_groups g JOIN chain c ON g.id = c.prev_group
       )
       SELECT DISTINCT ON (c.root, e.type, e.state_key) c.root, e.type, e.state_key, e.event_id
         FROM chain c JOIN state_group_entries e ON e.state_group = c.id ${filter}
        ORDER BY c.root, e.type, e.state_key, c.n ASC`,
      split ? [[...new Set(groups)], split.map((t) => t.type), split.map((t) => t.stateKey)] : [[...new Set(groups)]],
    );
    for (const row of rows) result.get(Number(row.root))?.set(stateKeyTuple(row.type, row.state_key), row.event_id);
    return result;
  }

  /**
   * As loadGroups, but of member events only those of `members`: lazy-loading syncs need the rest
   * of the state and a few members, and a room of 10,000 members would otherwise send all their
   * entries over to be dropped here.
   */
  async loadGroupsWithMembers(
    groups: readonly number[],
    members: readonly string[],
    em: EntityManager,
  ): Promise<Map<number, Map<StateKeyTuple, string>>> {
    const result = new Map<number, Map<StateKeyTuple, string>>(groups.map((group) => [group, new Map()]));
    if (groups.length === 0) return result;
    const rows = await queryRows<{ root: string; type: string; state_key: string; event_id: string }>(
      em,
      `WITH RECURSIVE chain (root, id, prev_group, n) AS (
         SELECT id, id, prev_group, 0 FROM state_groups WHERE id = ANY($1::bigint[])
         UNION ALL
         SELECT c.root, g.id, g.prev_group, c.n + 1 FROM state_groups g JOIN chain c ON g.id = c.prev_group
       )
       SELECT DISTINCT ON (c.root, e.type, e.state_key) c.root, e.type, e.state_key, e.event_id
         FROM chain c JOIN state_group_entries e ON e.state_group = c.id
        WHERE e.type <> 'm.room.member' OR e.state_key = ANY($2::text[])
        ORDER BY c.root, e.type, e.state_key, c.n ASC`,
      [[...new Set(groups)], [...new Set(members)]],
    );
    for (const row of rows) result.get(Number(row.root))?.set(stateKeyTuple(row.type, row.state_key), row.event_id);
    return result;
  }

  /** Current state events as the auth rules take them: all of them, or only `only`, in one round trip. */
  async currentState(
    roomId: string,
    em: EntityManager,
    only?: readonly StateKeyTuple[],
  ): Promise<Map<StateKeyTuple, RoomEvent>> {
    if (only?.length === 0) return new Map();
    const split = only?.map(splitStateKeyTuple);
    const filter = split
      ? 'JOIN unnest($2::text[], $3::text[]) AS wanted (type, state_key) ON wanted.type = c.type AND wanted.state_key = c.state_key'
      : '';
    const rows = await queryRows<{ event_id: string; pdu: Omit<RoomEvent, 'event_id'> }>(
      em,
      `SELECT e.event_id, e.pdu FROM current_state c ${filter} JOIN events e ON e.event_id = c.event_id WHERE c.room_id = $1`,
      split ? [roomId, split.map((t) => t.type), split.map((t) => t.stateKey)] : [roomId],
    );
    const state = new Map<StateKeyTuple, RoomEvent>();
    for (const row of rows) {
      const event: RoomEvent = { ...row.pdu, event_id: row.event_id };
      if (event.state_key !== undefined) state.set(stateKeyTuple(event.type, event.state_key), event);
    }
    return state;
  }

  async currentStateIds(roomId: string, em: EntityManager): Promise<Map<StateKeyTuple, string>> {
    const rows = await queryRows<{ type: string; state_key: string; event_id: string }>(
      em,
      'SELECT type, state_key, event_id FROM current_state WHERE room_id = $1',
      [roomId],
    );
    return new Map(rows.map((row) => [stateKeyTuple(row.type, row.state_key), row.event_id]));
  }

  async currentStateEventId(
    roomId: string,
    type: string,
    stateKey: string,
    em: EntityManager,
  ): Promise<string | undefined> {
    const rows = await queryRows<{ event_id: string }>(
      em,
      'SELECT event_id FROM current_state WHERE room_id = $1 AND type = $2 AND state_key = $3',
      [roomId, type, stateKey],
    );
    return rows[0]?.event_id;
  }

  /** Rooms where the user's current membership is the one given. */
  async roomsWithMembership(userId: string, membership: string, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ room_id: string }>(
      em,
      `SELECT room_id FROM current_state WHERE type = 'm.room.member' AND state_key = $1 AND membership = $2`,
      [userId, membership],
    );
    return rows.map((row) => row.room_id);
  }

  async membership(roomId: string, userId: string, em: EntityManager): Promise<string | undefined> {
    const rows = await queryRows<{ membership: string }>(
      em,
      `SELECT membership FROM current_state WHERE room_id = $1 AND type = 'm.room.member' AND state_key = $2`,
      [roomId, userId],
    );
    return rows[0]?.membership;
  }

  async shareARoom(userA: string, userB: string, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM current_state a JOIN current_state b ON a.room_id = b.room_id
        WHERE a.type = 'm.room.member' AND a.state_key = $1 AND a.membership = 'join'
          AND b.type = 'm.room.member' AND b.state_key = $2 AND b.membership IN ('join', 'invite')
        LIMIT 1`,
      [userA, userB],
    );
    return rows.length > 0;
  }

  /** Whether a user of `serverName` is joined to a room where `userId` is joined or invited. */
  async serverSharesARoom(serverName: string, userId: string, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM current_state a JOIN current_state b ON a.room_id = b.room_id
        WHERE a.type = 'm.room.member' AND right(a.state_key, length($1) + 1) = ':' || $1 AND a.membership = 'join'
          AND b.type = 'm.room.member' AND b.state_key = $2 AND b.membership IN ('join', 'invite')
        LIMIT 1`,
      [serverName, userId],
    );
    return rows.length > 0;
  }

  /** Servers with a member joined to any room where `userId` is joined: who must hear of the user's device changes. */
  async serversSharingRoomsWith(userId: string, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ server: string }>(
      em,
      `SELECT DISTINCT substring(b.state_key FROM position(':' IN b.state_key) + 1) AS server
         FROM current_state a JOIN current_state b ON a.room_id = b.room_id
        WHERE a.type = 'm.room.member' AND a.state_key = $1 AND a.membership = 'join'
          AND b.type = 'm.room.member' AND b.membership = 'join'`,
      [userId],
    );
    return rows.map((row) => row.server);
  }

  /** For each room, the servers with at least one joined member, in one statement. */
  async joinedServersOfRooms(roomIds: readonly string[], em: EntityManager): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(roomIds.map((roomId) => [roomId, []]));
    if (roomIds.length === 0) return result;
    const rows = await queryRows<{ room_id: string; server: string }>(
      em,
      `SELECT DISTINCT room_id, substring(state_key FROM position(':' IN state_key) + 1) AS server FROM current_state
        WHERE room_id = ANY($1::text[]) AND type = 'm.room.member' AND membership = 'join'`,
      [[...new Set(roomIds)]],
    );
    for (const row of rows) result.get(row.room_id)?.push(row.server);
    return result;
  }

  /** Servers with at least one joined member, by the current state. */
  async joinedServers(roomId: string, em: EntityManager): Promise<string[]> {
    return (await this.joinedServersOfRooms([roomId], em)).get(roomId) ?? [];
  }
}
