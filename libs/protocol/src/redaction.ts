import type { JsonObject, JsonValue } from './json';
import type { RoomVersion } from './room-versions';

const TOP_LEVEL_KEYS = [
  'event_id',
  'type',
  'room_id',
  'sender',
  'state_key',
  'content',
  'hashes',
  'signatures',
  'depth',
  'prev_events',
  'auth_events',
  'origin_server_ts',
];
const LEGACY_TOP_LEVEL_KEYS = ['origin', 'membership', 'prev_state'];

/** Spec "Redactions" for the event's room version: returns a new, redacted event. */
export function redactEvent(event: JsonObject, version: RoomVersion): JsonObject {
  const keep = version.redaction.keepsLegacyTopLevelKeys
    ? [...TOP_LEVEL_KEYS, ...LEGACY_TOP_LEVEL_KEYS]
    : TOP_LEVEL_KEYS;
  const redacted: JsonObject = {};
  for (const key of keep) {
    const value = event[key];
    if (value !== undefined) redacted[key] = value;
  }
  if (isObject(event.content))
    redacted.content = redactContent(typeof event.type === 'string' ? event.type : '', event.content, version);
  return redacted;
}

function redactContent(type: string, content: JsonObject, version: RoomVersion): JsonObject {
  const rules = version.redaction;
  switch (type) {
    case 'm.room.member':
      return redactMember(content, version);
    case 'm.room.create':
      return rules.v11Rules ? { ...content } : pick(content, ['creator']);
    case 'm.room.join_rules':
      return pick(content, rules.keepsJoinRulesAllow ? ['join_rule', 'allow'] : ['join_rule']);
    case 'm.room.power_levels':
      return pick(content, [
        'ban',
        'events',
        'events_default',
        'kick',
        'redact',
        'state_default',
        'users',
        'users_default',
        ...(rules.v11Rules ? ['invite'] : []),
      ]);
    case 'm.room.aliases':
      return rules.keepsAliases ? pick(content, ['aliases']) : {};
    case 'm.room.history_visibility':
      return pick(content, ['history_visibility']);
    case 'm.room.redaction':
      return rules.v11Rules ? pick(content, ['redacts']) : {};
    default:
      return {};
  }
}

function redactMember(content: JsonObject, version: RoomVersion): JsonObject {
  const kept = pick(
    content,
    version.redaction.keepsJoinAuthorisedVia ? ['membership', 'join_authorised_via_users_server'] : ['membership'],
  );
  const invite = content.third_party_invite;
  if (version.redaction.v11Rules && isObject(invite) && invite.signed !== undefined) {
    kept.third_party_invite = { signed: invite.signed };
  }
  return kept;
}

function pick(object: JsonObject, keys: readonly string[]): JsonObject {
  const picked: JsonObject = {};
  for (const key of keys) {
    const value = object[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
