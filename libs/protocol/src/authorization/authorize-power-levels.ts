import { isValidUserId } from '../identifiers';
import type { JsonObject, JsonValue } from '../json';
import type { RoomEvent, RoomState } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { AuthError } from './auth-error';
import { isObject, parsePowerLevel, roomCreators, userPowerLevel } from './power-levels';
import { stateContent } from './room-state-access';

const LEVEL_KEYS = ['users_default', 'events_default', 'state_default', 'ban', 'redact', 'kick', 'invite'];

/** Rule 10 (v10 numbering): changes to m.room.power_levels. */
export function authorizePowerLevels(event: RoomEvent, state: RoomState, version: RoomVersion): void {
  const next = event.content;
  validateShape(next, version);
  if (
    version.creatorPrivileges &&
    isObject(next.users) &&
    roomCreators(state, version).some((creator) => creator in (next.users as JsonObject))
  ) {
    throw new AuthError('10.c', 'Creators cannot be given a power level');
  }
  const current = stateContent(state, 'm.room.power_levels');
  if (!current) return;
  const senderLevel = userPowerLevel(event.sender, state, version);
  const level = (value: JsonValue | undefined) => parsePowerLevel(value, version);

  for (const key of LEVEL_KEYS) checkChange(level(current[key]), level(next[key]), senderLevel, `10.e (${key})`);
  for (const map of version.limitNotificationsPowerLevels ? ['events', 'notifications'] : ['events']) {
    const before = objectOf(current[map]);
    const after = objectOf(next[map]);
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
      checkChange(level(before[key]), level(after[key]), senderLevel, `10.f (${map}.${key})`);
  }
  const usersBefore = objectOf(current.users);
  const usersAfter = objectOf(next.users);
  for (const user of new Set([...Object.keys(usersBefore), ...Object.keys(usersAfter)])) {
    const before = level(usersBefore[user]);
    const after = level(usersAfter[user]);
    if (before === after) continue;
    if (user !== event.sender && before !== undefined && before >= senderLevel)
      throw new AuthError('10.h', `Cannot change the level of ${user}, who is not below you`);
    if (after !== undefined && after > senderLevel)
      throw new AuthError('10.i', `Cannot raise ${user} above your own level`);
  }
}

/** 10.e–g: any changed value, old or new, must not exceed the sender's level. */
function checkChange(before: number | undefined, after: number | undefined, senderLevel: number, rule: string): void {
  if (before === after) return;
  if (before !== undefined && before > senderLevel) throw new AuthError(rule, 'Cannot change a level above your own');
  if (after !== undefined && after > senderLevel) throw new AuthError(rule, 'Cannot set a level above your own');
}

/** 10.a–c: levels are integers (or, before v10, numeric strings); users are user IDs. */
function validateShape(content: JsonObject, version: RoomVersion): void {
  for (const key of LEVEL_KEYS) {
    if (content[key] !== undefined && parsePowerLevel(content[key], version) === undefined)
      throw new AuthError('10.a', `${key} must be an integer`);
  }
  for (const map of ['events', 'notifications']) {
    const value = content[map];
    if (value === undefined) continue;
    if (!isObject(value) || Object.values(value).some((v) => parsePowerLevel(v, version) === undefined))
      throw new AuthError('10.b', `${map} must map to integers`);
  }
  const users = content.users;
  if (users === undefined) return;
  if (!isObject(users)) throw new AuthError('10.c', 'users must be an object');
  for (const [user, value] of Object.entries(users)) {
    if (!isValidUserId(user) || parsePowerLevel(value, version) === undefined)
      throw new AuthError('10.c', 'users must map user IDs to integers');
  }
}

function objectOf(value: JsonValue | undefined): JsonObject {
  return isObject(value) ? value : {};
}
