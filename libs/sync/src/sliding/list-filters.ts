import type { RoomFacts } from './room-facts';
import type { ListFilters } from './sliding-request';

/** MSC4186 SlidingRoomFilter: every filter set must hold; an unset one lets everything through. */
export function passesFilters(filters: ListFilters, roomId: string, membership: string, facts: RoomFacts): boolean {
  if (filters.isDm !== undefined && facts.dmRooms.has(roomId) !== filters.isDm) return false;
  if (filters.isEncrypted !== undefined && facts.encrypted.has(roomId) !== filters.isEncrypted) return false;
  if (filters.isInvite !== undefined && (membership === 'invite') !== filters.isInvite) return false;
  const type = facts.roomTypes.get(roomId) ?? null;
  // not_room_types wins over room_types.
  if (filters.notRoomTypes?.includes(type)) return false;
  if (filters.roomTypes && !filters.roomTypes.includes(type)) return false;
  if (filters.spaces) {
    const inSpace = filters.spaces.some((space) => facts.spaceChildren.get(space)?.has(roomId) === true);
    if (!inSpace) return false;
  }
  const tags = facts.tags.get(roomId) ?? [];
  // not_tags wins over tags.
  if (filters.notTags?.some((tag) => tags.includes(tag))) return false;
  if (filters.tags && !filters.tags.some((tag) => tags.includes(tag))) return false;
  return true;
}
