import type { MembershipRow } from '@hearth/rooms';
import { passesFilters } from './list-filters';
import type { RoomFacts } from './room-facts';
import type { ListConfig } from './sliding-request';

/** A room of the user's room list, with the position it sorts by. */
export interface ListedRoom {
  readonly membership: MembershipRow;
  /** The latest activity the user can see: the last event of a joined room, else their membership event. */
  readonly activity: number;
}

export interface ListResult {
  /** Rooms matching the filters, whatever the ranges. */
  readonly count: number;
  /** Rooms within the ranges, in order. */
  readonly roomIds: readonly string[];
}

/**
 * The server's room list (MSC4186 "Lists"), newest activity first: rooms joined, invited to,
 * knocked on, and banned from; rooms left only when the connection was sent them before (so that
 * it hears of the leave).
 */
export function orderRoomList(
  memberships: readonly MembershipRow[],
  lastActivity: ReadonlyMap<string, number>,
  previouslySent: (roomId: string) => boolean,
): ListedRoom[] {
  return memberships
    .filter((m) => m.membership !== 'leave' || previouslySent(m.roomId))
    .map((m) => ({
      membership: m,
      activity: m.membership === 'join' ? (lastActivity.get(m.roomId) ?? m.position) : m.position,
    }))
    .sort((a, b) => b.activity - a.activity || (a.membership.roomId < b.membership.roomId ? -1 : 1));
}

/** One list: the filtered rooms' count, and those within its ranges. */
export function applyList(list: ListConfig, rooms: readonly ListedRoom[], facts: RoomFacts): ListResult {
  const filtered = rooms.filter((room) =>
    passesFilters(list.filters, room.membership.roomId, room.membership.membership, facts),
  );
  const picked = new Set<number>();
  for (const [from, to] of list.ranges ?? [[0, filtered.length - 1] as const])
    for (let i = from; i <= Math.min(to, filtered.length - 1); i++) picked.add(i);
  const roomIds = [...picked].sort((a, b) => a - b).flatMap((i) => filtered[i]?.membership.roomId ?? []);
  return { count: filtered.length, roomIds };
}
