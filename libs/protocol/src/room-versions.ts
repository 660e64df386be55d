/**
 * The one capability table for room versions (spec "Room Versions" and each version's page).
 * Code asks a version what it does; it never compares version strings.
 */
export interface RoomVersion {
  readonly id: string;
  /** Event IDs: v1 `$opaque:server`; v3 hash, standard base64; v4 hash, URL-safe base64. */
  readonly eventIdFormat: 'v1' | 'v3' | 'v4';
  readonly stateResolution: 'v1' | 'v2' | 'v2.1';
  /** v5+: a signing key must be valid at the event's origin_server_ts. */
  readonly enforceKeyValidity: boolean;
  /** v1–5: m.room.aliases has its own auth rule; v6 removed it. */
  readonly specialCasedAliasesAuth: boolean;
  /** v6+: events with floats or out-of-range integers are rejected. */
  readonly strictCanonicalJson: boolean;
  /** v6+: `notifications` power levels are checked on power-level changes. */
  readonly limitNotificationsPowerLevels: boolean;
  readonly knockJoinRule: boolean;
  readonly restrictedJoinRule: boolean;
  readonly knockRestrictedJoinRule: boolean;
  /** v10+: power levels must be integers, not numeric strings. */
  readonly enforceIntegerPowerLevels: boolean;
  /** v11+: `creator` is gone from m.room.create content; the sender is the creator. */
  readonly implicitRoomCreator: boolean;
  /** v12: room IDs are the create event's reference hash; creators have infinite power. */
  readonly roomIdFromCreateEvent: boolean;
  readonly creatorPrivileges: boolean;
  readonly redaction: RedactionRules;
}

/** What the redaction algorithm keeps, per version (spec "Redactions" of each version). */
export interface RedactionRules {
  /** v1–10 keep `origin`, `membership` and `prev_state` at the top level; v11 drops them. */
  readonly keepsLegacyTopLevelKeys: boolean;
  /** v1–5 keep `aliases` in m.room.aliases. */
  readonly keepsAliases: boolean;
  /** v8+ keep `allow` in m.room.join_rules. */
  readonly keepsJoinRulesAllow: boolean;
  /** v9+ keep `join_authorised_via_users_server` in m.room.member. */
  readonly keepsJoinAuthorisedVia: boolean;
  /** v11+: all of m.room.create's content, `invite` in power levels, `redacts` in redactions, third_party_invite.signed. */
  readonly v11Rules: boolean;
}

type Flags = Omit<RoomVersion, 'id' | 'redaction'> & { redaction: RedactionRules };

const V1: Flags = {
  eventIdFormat: 'v1',
  stateResolution: 'v1',
  enforceKeyValidity: false,
  specialCasedAliasesAuth: true,
  strictCanonicalJson: false,
  limitNotificationsPowerLevels: false,
  knockJoinRule: false,
  restrictedJoinRule: false,
  knockRestrictedJoinRule: false,
  enforceIntegerPowerLevels: false,
  implicitRoomCreator: false,
  roomIdFromCreateEvent: false,
  creatorPrivileges: false,
  redaction: {
    keepsLegacyTopLevelKeys: true,
    keepsAliases: true,
    keepsJoinRulesAllow: false,
    keepsJoinAuthorisedVia: false,
    v11Rules: false,
  },
};

const V2: Flags = { ...V1, stateResolution: 'v2' };
const V3: Flags = { ...V2, eventIdFormat: 'v3' };
const V4: Flags = { ...V3, eventIdFormat: 'v4' };
const V5: Flags = { ...V4, enforceKeyValidity: true };
const V6: Flags = {
  ...V5,
  specialCasedAliasesAuth: false,
  strictCanonicalJson: true,
  limitNotificationsPowerLevels: true,
  redaction: { ...V5.redaction, keepsAliases: false },
};
const V7: Flags = { ...V6, knockJoinRule: true };
const V8: Flags = { ...V7, restrictedJoinRule: true, redaction: { ...V7.redaction, keepsJoinRulesAllow: true } };
const V9: Flags = { ...V8, redaction: { ...V8.redaction, keepsJoinAuthorisedVia: true } };
const V10: Flags = { ...V9, knockRestrictedJoinRule: true, enforceIntegerPowerLevels: true };
const V11: Flags = {
  ...V10,
  implicitRoomCreator: true,
  redaction: { ...V10.redaction, keepsLegacyTopLevelKeys: false, v11Rules: true },
};
const V12: Flags = { ...V11, stateResolution: 'v2.1', roomIdFromCreateEvent: true, creatorPrivileges: true };

const TABLE: ReadonlyMap<string, RoomVersion> = new Map(
  Object.entries({
    '1': V1,
    '2': V2,
    '3': V3,
    '4': V4,
    '5': V5,
    '6': V6,
    '7': V7,
    '8': V8,
    '9': V9,
    '10': V10,
    '11': V11,
    '12': V12,
  }).map(([id, flags]) => [id, Object.freeze({ id, ...flags })]),
);

/** Versions Hearth creates and joins (the spec's stable versions from 6). */
export const SUPPORTED_ROOM_VERSIONS: readonly string[] = ['6', '7', '8', '9', '10', '11', '12'];
export const DEFAULT_ROOM_VERSION = '10';

/** Any version the spec defines (1–12), for reading events; undefined for unknown ones. */
export function getRoomVersion(id: string): RoomVersion | undefined {
  return TABLE.get(id);
}
