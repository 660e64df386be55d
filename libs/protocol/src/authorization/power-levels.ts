import type { JsonObject, JsonValue } from '../json';
import type { RoomState } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { stateContent, stateEvent } from './room-state-access';

/** Top-level power-level keys and their defaults when the key is absent (spec m.room.power_levels). */
export const POWER_LEVEL_DEFAULTS: Readonly<Record<string, number>> = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
};

/**
 * An integer power level, or undefined if the value is not one. Before room version 10,
 * numeric strings ("50") were accepted too.
 */
export function parsePowerLevel(value: JsonValue | undefined, version: RoomVersion): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (!version.enforceIntegerPowerLevels && typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    const parsed = Number.parseInt(value, 10);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** The room's creators: v12 lists additional ones; earlier versions have one (content.creator or, from v11, the sender). */
export function roomCreators(state: RoomState, version: RoomVersion): string[] {
  const create = stateEvent(state, 'm.room.create');
  if (!create) return [];
  const creator = version.implicitRoomCreator ? create.sender : create.content.creator;
  const creators = typeof creator === 'string' ? [creator] : [];
  const additional = create.content.additional_creators;
  if (version.creatorPrivileges && Array.isArray(additional)) {
    for (const user of additional) if (typeof user === 'string') creators.push(user);
  }
  return creators;
}

/** A top-level level (`ban`, `kick`, ...); without a power-levels event, state_default is 0. */
export function levelFor(key: string, state: RoomState, version: RoomVersion): number {
  const content = stateContent(state, 'm.room.power_levels');
  if (!content) return key === 'state_default' ? 0 : (POWER_LEVEL_DEFAULTS[key] ?? 0);
  return parsePowerLevel(content[key], version) ?? POWER_LEVEL_DEFAULTS[key] ?? 0;
}

/** Spec: a user's level from m.room.power_levels, else 100 for the creator and 0 for others. v12 creators are above all. */
export function userPowerLevel(userId: string, state: RoomState, version: RoomVersion): number {
  if (version.creatorPrivileges && roomCreators(state, version).includes(userId)) return Number.POSITIVE_INFINITY;
  const content = stateContent(state, 'm.room.power_levels');
  if (!content) return roomCreators(state, version).includes(userId) ? 100 : 0;
  const users = isObject(content.users) ? content.users : {};
  return parsePowerLevel(users[userId], version) ?? levelFor('users_default', state, version);
}

/** The level needed to send an event of this type: `events[type]`, else state_default or events_default. */
export function requiredPowerLevel(type: string, isState: boolean, state: RoomState, version: RoomVersion): number {
  const content = stateContent(state, 'm.room.power_levels');
  const events = content && isObject(content.events) ? content.events : {};
  const specific = parsePowerLevel(events[type], version);
  if (specific !== undefined) return specific;
  return levelFor(isState ? 'state_default' : 'events_default', state, version);
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
