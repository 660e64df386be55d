import { getRoomVersion, isJsonObject, stateKeyTuple, type RoomState } from '@hearth/protocol';
import type { SpaceChildState } from './space-children';

/**
 * Spec "RoomSummary" (the public rooms chunk with `room_type`, `allowed_room_ids`, `encryption`
 * and `room_version`) and the `children_state` the hierarchy adds.
 */
export interface RoomSummary {
  readonly room_id: string;
  readonly num_joined_members: number;
  readonly world_readable: boolean;
  readonly guest_can_join: boolean;
  readonly join_rule: string;
  readonly name?: string;
  readonly topic?: string;
  readonly canonical_alias?: string;
  readonly avatar_url?: string;
  readonly room_type?: string;
  readonly allowed_room_ids?: readonly string[];
  readonly encryption?: string;
  readonly room_version?: string;
  readonly children_state: readonly SpaceChildState[];
}

/** The state a summary is made of (each with state key ''), besides members and space children. */
export const SUMMARY_TYPES = [
  'm.room.create',
  'm.room.name',
  'm.room.topic',
  'm.room.canonical_alias',
  'm.room.avatar',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
  'm.room.encryption',
];

export function buildRoomSummary(
  roomId: string,
  state: RoomState,
  joinedMembers: number,
  children: readonly SpaceChildState[],
): RoomSummary {
  const content = (type: string) => state.get(stateKeyTuple(type, ''))?.content ?? {};
  const text = (type: string, field: string) => {
    const value = content(type)[field];
    return typeof value === 'string' ? value : undefined;
  };
  const roomVersion = text('m.room.create', 'room_version') ?? '1';
  const joinRule = text('m.room.join_rules', 'join_rule') ?? 'invite';
  const allowed = restrictedAllowList(joinRule, content('m.room.join_rules').allow, roomVersion);
  return omitUndefined({
    room_id: roomId,
    num_joined_members: joinedMembers,
    world_readable: text('m.room.history_visibility', 'history_visibility') === 'world_readable',
    guest_can_join: text('m.room.guest_access', 'guest_access') === 'can_join',
    join_rule: joinRule,
    name: text('m.room.name', 'name'),
    topic: text('m.room.topic', 'topic'),
    canonical_alias: text('m.room.canonical_alias', 'alias'),
    avatar_url: text('m.room.avatar', 'url'),
    room_type: text('m.room.create', 'type'),
    allowed_room_ids: allowed,
    encryption: text('m.room.encryption', 'algorithm'),
    room_version: roomVersion,
    children_state: children,
  });
}

/** The rooms whose members may join a restricted room; undefined when the room is not restricted. */
function restrictedAllowList(joinRule: string, allow: unknown, roomVersion: string): string[] | undefined {
  if (!isRestricted(joinRule, roomVersion) || !Array.isArray(allow)) return undefined;
  return allow
    .filter(isJsonObject)
    .filter((entry) => entry.type === 'm.room_membership' && typeof entry.room_id === 'string')
    .map((entry) => entry.room_id as string);
}

export function isRestricted(joinRule: string, roomVersion: string | undefined): boolean {
  // A peer's summary may lack its version; the join rule is then taken at its word, as Synapse does.
  const version = roomVersion === undefined ? undefined : getRoomVersion(roomVersion);
  if (joinRule === 'restricted') return version?.restrictedJoinRule ?? roomVersion === undefined;
  if (joinRule === 'knock_restricted') return version?.knockRestrictedJoinRule ?? roomVersion === undefined;
  return false;
}

export function isKnockable(joinRule: string, roomVersion: string | undefined): boolean {
  const version = roomVersion === undefined ? undefined : getRoomVersion(roomVersion);
  if (joinRule === 'knock') return version?.knockJoinRule ?? roomVersion === undefined;
  if (joinRule === 'knock_restricted') return version?.knockRestrictedJoinRule ?? roomVersion === undefined;
  return false;
}

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
