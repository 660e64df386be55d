import type { JsonObject } from './json';
import { redactEvent } from './redaction';
import { getRoomVersion, type RoomVersion } from './room-versions';

const version = (id: string) => getRoomVersion(id) as RoomVersion;
const base = {
  event_id: '$e',
  room_id: '!r:x',
  sender: '@a:x',
  origin: 'x',
  origin_server_ts: 1,
  depth: 2,
  prev_events: [],
  auth_events: [],
  hashes: { sha256: 'h' },
  signatures: { x: { 'ed25519:1': 's' } },
  unsigned: { age: 1 },
  membership: 'join',
  prev_state: [],
  extra_top_level: true,
};
const redactedContent = (type: string, content: JsonObject, roomVersion: string, stateKey: string | undefined = '') =>
  redactEvent({ ...base, type, state_key: stateKey, content }, version(roomVersion)).content;

describe('redaction (spec "Redactions", per room version)', () => {
  it('keeps only the listed top-level keys', () => {
    const redacted = redactEvent({ ...base, type: 'm.room.message', content: { body: 'x' } }, version('10'));
    expect(Object.keys(redacted).sort()).toEqual(
      [
        'auth_events',
        'content',
        'depth',
        'event_id',
        'hashes',
        'membership',
        'origin',
        'origin_server_ts',
        'prev_events',
        'prev_state',
        'room_id',
        'sender',
        'signatures',
        'type',
      ].sort(),
    );
    expect(redacted.content).toEqual({});
  });

  it('drops origin, membership and prev_state from v11', () => {
    const redacted = redactEvent({ ...base, type: 'm.room.message', content: {} }, version('11'));
    expect(redacted).not.toHaveProperty('origin');
    expect(redacted).not.toHaveProperty('membership');
    expect(redacted).not.toHaveProperty('prev_state');
    expect(redacted).not.toHaveProperty('unsigned');
  });

  it.each([
    // [type, content, version, expected]
    [
      'm.room.member',
      { membership: 'join', displayname: 'A', join_authorised_via_users_server: '@b:x' },
      '8',
      { membership: 'join' },
    ],
    [
      'm.room.member',
      { membership: 'join', displayname: 'A', join_authorised_via_users_server: '@b:x' },
      '9',
      { membership: 'join', join_authorised_via_users_server: '@b:x' },
    ],
    [
      'm.room.member',
      { membership: 'invite', third_party_invite: { display_name: 'x', signed: { token: 't' } } },
      '10',
      { membership: 'invite' },
    ],
    [
      'm.room.member',
      { membership: 'invite', third_party_invite: { display_name: 'x', signed: { token: 't' } } },
      '11',
      { membership: 'invite', third_party_invite: { signed: { token: 't' } } },
    ],
    ['m.room.create', { creator: '@a:x', 'm.federate': false, room_version: '10' }, '10', { creator: '@a:x' }],
    ['m.room.create', { 'm.federate': false, room_version: '11' }, '11', { 'm.federate': false, room_version: '11' }],
    [
      'm.room.join_rules',
      { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
      '7',
      { join_rule: 'restricted' },
    ],
    [
      'm.room.join_rules',
      { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
      '8',
      { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
    ],
    [
      'm.room.power_levels',
      { ban: 50, invite: 0, notifications: { room: 50 }, users: {} },
      '10',
      { ban: 50, users: {} },
    ],
    [
      'm.room.power_levels',
      { ban: 50, invite: 0, notifications: { room: 50 }, users: {} },
      '11',
      { ban: 50, invite: 0, users: {} },
    ],
    ['m.room.aliases', { aliases: ['#a:x'] }, '5', { aliases: ['#a:x'] }],
    ['m.room.aliases', { aliases: ['#a:x'] }, '6', {}],
    ['m.room.history_visibility', { history_visibility: 'shared', other: 1 }, '6', { history_visibility: 'shared' }],
    ['m.room.redaction', { redacts: '$x', reason: 'spam' }, '10', {}],
    ['m.room.redaction', { redacts: '$x', reason: 'spam' }, '11', { redacts: '$x' }],
    ['m.room.name', { name: 'secret' }, '12', {}],
  ])('%s %j in v%s keeps %j', (type, content, roomVersion, expected) => {
    expect(redactedContent(type, content, roomVersion)).toEqual(expected);
  });

  it('does not modify the event it is given', () => {
    const event = { ...base, type: 'm.room.message', content: { body: 'x' } };
    redactEvent(event, version('11'));
    expect(event.content).toEqual({ body: 'x' });
  });
});
