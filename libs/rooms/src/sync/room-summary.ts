import type { JsonObject } from '@hearth/protocol';

const MAX_HEROES = 5;

export interface RoomMember {
  readonly userId: string;
  readonly membership: string;
}

/** Spec "Room summary": member counts, and heroes when the room has no name of its own. */
export function roomSummary(members: readonly RoomMember[], named: boolean, userId: string): JsonObject {
  const joined = members.filter((m) => m.membership === 'join');
  const invited = members.filter((m) => m.membership === 'invite');
  const others = [...joined, ...invited].filter((m) => m.userId !== userId);
  const heroes = (others.length > 0 ? others : members.filter((m) => m.userId !== userId))
    .slice(0, MAX_HEROES)
    .map((m) => m.userId);
  return {
    ...(named ? {} : { 'm.heroes': heroes }),
    'm.joined_member_count': joined.length,
    'm.invited_member_count': invited.length,
  };
}
