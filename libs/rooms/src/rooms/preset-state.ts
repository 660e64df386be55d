import type { JsonObject } from '@hearth/protocol';
import type { RoomPreset } from './create-room-request';

/** Spec CS API "Creation": the state each preset sets. */
export function presetState(preset: RoomPreset): Array<{ type: string; content: JsonObject }> {
  const publicRoom = preset === 'public_chat';
  return [
    { type: 'm.room.join_rules', content: { join_rule: publicRoom ? 'public' : 'invite' } },
    { type: 'm.room.history_visibility', content: { history_visibility: 'shared' } },
    { type: 'm.room.guest_access', content: { guest_access: publicRoom ? 'forbidden' : 'can_join' } },
  ];
}

/**
 * Defaults close to what other servers create, so rooms behave the same everywhere. From room
 * version 12 creators are above power levels and must not be listed (`creator` undefined).
 */
export function defaultPowerLevels(
  creator: string | undefined,
  trustedInvitees: readonly string[],
  override: JsonObject | undefined,
): JsonObject {
  const users: JsonObject = creator === undefined ? {} : { [creator]: 100 };
  for (const invitee of trustedInvitees) users[invitee] = 100;
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
    historical: 100,
    ...override,
  };
}
