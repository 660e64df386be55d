import type { RoomEvent, RoomState } from '../room-event';
import { getRoomVersion, type RoomVersion } from '../room-versions';
import { authEventTypesFor } from './auth-event-selection';
import { ANA, basicRoom, BEA, CARL, create, ev, EVE, member, powerLevels, room, joinRules } from './auth.fixtures';
import { authorizeEvent } from './authorize-event';
import { userPowerLevel } from './power-levels';

const v = (id: string) => getRoomVersion(id) as RoomVersion;
const allowed = (event: RoomEvent, state: RoomState, version = '10') => {
  try {
    authorizeEvent(event, state, v(version));
    return true;
  } catch {
    return false;
  }
};

describe('authorization rules: m.room.create (rule 1)', () => {
  it.each([
    ['a v10 create with creator', create(), '10', true],
    ['a v10 create without creator', create({}), '10', false],
    ['a v11 create without creator (the sender creates)', create({ room_version: '11' }), '11', true],
    ['a create with prev_events', { ...create(), prev_events: ['$x'] }, '10', false],
    ['a create from another server than the room ID', create({ creator: EVE }, EVE), '10', false],
    ['a create with an unknown room_version', create({ creator: ANA, room_version: 'nope' }), '10', false],
    ['a v12 create with additional creators that are user IDs', create({ additional_creators: [BEA] }), '12', true],
    ['a v12 create with additional creators that are not', create({ additional_creators: ['bea'] }), '12', false],
  ])('%s: allowed=%s', (_name, event, version, expected) => {
    expect(allowed(event, new Map(), version)).toBe(expected);
  });
});

describe('authorization rules: joins (rule 5.c)', () => {
  it.each([
    ['joining a public room', 'public', [], BEA, true],
    ['joining an invite-only room uninvited', 'invite', [], CARL, false],
    ['joining an invite-only room when invited', 'invite', [member(CARL, 'invite', ANA)], CARL, true],
    ['joining while banned, even when public', 'public', [member(CARL, 'ban', ANA)], CARL, false],
    ['joining a knock room when invited (v7+)', 'knock', [member(CARL, 'invite', ANA)], CARL, true],
  ])('%s: allowed=%s', (_name, rule, extra, user, expected) => {
    expect(allowed(member(user, 'join'), basicRoom(rule, extra))).toBe(expected);
  });

  it('refuses joining on behalf of someone else', () => {
    expect(allowed(member(CARL, 'join', BEA), basicRoom('public'))).toBe(false);
  });

  it('lets the creator join right after the create event', () => {
    const createEvent = create();
    expect(allowed(member(ANA, 'join', ANA, {}), room(createEvent), '10')).toBe(false);
    expect(allowed({ ...member(ANA, 'join'), prev_events: [createEvent.event_id] }, room(createEvent), '10')).toBe(
      true,
    );
    const v11Create = create({ room_version: '11' });
    expect(allowed({ ...member(ANA, 'join'), prev_events: [v11Create.event_id] }, room(v11Create), '11')).toBe(true);
  });

  describe('restricted joins', () => {
    const restricted = (version: string, authoriser: string | undefined, rule = 'restricted') =>
      allowed(
        member(CARL, 'join', CARL, authoriser ? { join_authorised_via_users_server: authoriser } : {}),
        basicRoom(rule),
        version,
      );

    it.each([
      ['v7 has no restricted rule', '7', ANA, 'restricted', false],
      ['v8 with a joined authoriser who may invite', '8', ANA, 'restricted', true],
      ['v8 without an authoriser', '8', undefined, 'restricted', false],
      ['v8 with an authoriser who is not joined', '8', EVE, 'restricted', false],
      ['v9 knock_restricted does not exist yet', '9', ANA, 'knock_restricted', false],
      ['v10 knock_restricted with an authoriser', '10', ANA, 'knock_restricted', true],
    ])('%s: allowed=%s', (_name, version, authoriser, rule, expected) => {
      expect(restricted(version, authoriser, rule)).toBe(expected);
    });

    it('refuses an authoriser below the invite level', () => {
      const state = basicRoom('restricted', [powerLevels({ users: { [ANA]: 100 }, invite: 50 })]);
      expect(allowed(member(CARL, 'join', CARL, { join_authorised_via_users_server: BEA }), state, '10')).toBe(false);
    });
  });
});

describe('authorization rules: invites, leaves, kicks, bans, knocks (rules 5.d–5.g)', () => {
  it.each([
    ['a member invites with invite level 0', member(CARL, 'invite', BEA), basicRoom(), true],
    ['a non-member invites', member(CARL, 'invite', EVE), basicRoom(), false],
    ['inviting someone already joined', member(BEA, 'invite', ANA), basicRoom(), false],
    ['inviting someone banned', member(CARL, 'invite', ANA), basicRoom('invite', [member(CARL, 'ban', ANA)]), false],
    [
      'a member below the invite level invites',
      member(CARL, 'invite', BEA),
      basicRoom('invite', [powerLevels({ users: { [ANA]: 100 }, invite: 50 })]),
      false,
    ],
    ['leaving when joined', member(BEA, 'leave'), basicRoom(), true],
    ['rejecting an invite', member(CARL, 'leave'), basicRoom('invite', [member(CARL, 'invite', ANA)]), true],
    ['leaving a room one is not in', member(CARL, 'leave'), basicRoom(), false],
    ['the admin kicks a member', member(BEA, 'leave', ANA), basicRoom(), true],
    ['a member kicks the admin', member(ANA, 'leave', BEA), basicRoom(), false],
    [
      'a member without power unbans',
      member(CARL, 'leave', BEA),
      basicRoom('invite', [member(CARL, 'ban', ANA)]),
      false,
    ],
    ['the admin unbans', member(CARL, 'leave', ANA), basicRoom('invite', [member(CARL, 'ban', ANA)]), true],
    ['the admin bans', member(BEA, 'ban', ANA), basicRoom(), true],
    ['a member bans', member(ANA, 'ban', BEA), basicRoom(), false],
    ['an unknown membership', member(BEA, 'dance'), basicRoom(), false],
  ])('%s: allowed=%s', (_name, event, state, expected) => {
    expect(allowed(event, state)).toBe(expected);
  });

  it.each([
    ['v6 has no knocking', '6', 'knock', false],
    ['v7 knock room', '7', 'knock', true],
    ['v7 knock on an invite-only room', '7', 'invite', false],
    ['v10 knock_restricted', '10', 'knock_restricted', true],
  ])('%s: allowed=%s', (_name, version, rule, expected) => {
    expect(allowed(member(CARL, 'knock'), basicRoom(rule), version)).toBe(expected);
  });
});

describe('authorization rules: other events (rules 3, 6–9)', () => {
  it.each([
    ['a member sends a message', ev('m.room.message', BEA, { body: 'hi' }), true],
    ['a non-member sends a message', ev('m.room.message', CARL, { body: 'hi' }), false],
    ['a member below state_default sets the topic', ev('m.room.topic', BEA, { topic: 'x' }, ''), false],
    ['the admin sets the topic', ev('m.room.topic', ANA, { topic: 'x' }, ''), true],
    ["a member sets state under another user's ID", ev('org.example.status', BEA, {}, ANA), false],
    ['a member sets state under their own ID (enough power)', ev('org.example.status', ANA, {}, ANA), true],
  ])('%s: allowed=%s', (_name, event, expected) => {
    expect(allowed(event, basicRoom())).toBe(expected);
  });

  it('refuses other servers in a room created with m.federate false', () => {
    const state = room(create({ creator: ANA, 'm.federate': false }), member(ANA, 'join'), joinRules('public'));
    expect(allowed(member(EVE, 'join'), state)).toBe(false);
  });

  it('refuses everything when the create event is missing from the auth state', () => {
    expect(allowed(ev('m.room.message', BEA, {}), room(member(BEA, 'join')))).toBe(false);
  });
});

describe('authorization rules: power levels (rule 10)', () => {
  const change = (sender: string, content: Record<string, unknown>, version = '10', extra: RoomEvent[] = []) =>
    allowed(
      ev('m.room.power_levels', sender, content as never, ''),
      basicRoom('invite', [powerLevels({ users: { [ANA]: 100, [BEA]: 50 }, ban: 50, kick: 50 }), ...extra]),
      version,
    );

  it.each([
    ['the admin promotes a member to 50', ANA, { users: { [ANA]: 100, [BEA]: 50, [CARL]: 50 } }, true],
    ['a moderator raises someone above themselves', BEA, { users: { [ANA]: 100, [BEA]: 50, [CARL]: 60 } }, false],
    ['a moderator demotes the admin', BEA, { users: { [ANA]: 0, [BEA]: 50 } }, false],
    ['a moderator demotes themselves', BEA, { users: { [ANA]: 100, [BEA]: 10 } }, true],
    ['a moderator changes ban from 50 to 40', BEA, { users: { [ANA]: 100, [BEA]: 50 }, ban: 40, kick: 50 }, true],
    ['a moderator raises kick above their level', BEA, { users: { [ANA]: 100, [BEA]: 50 }, ban: 50, kick: 60 }, false],
    ['users keys must be user IDs', ANA, { users: { ana: 100 } }, false],
    ['events values must be integers', ANA, { users: { [ANA]: 100 }, events: { 'm.room.name': 'high' } }, false],
  ])('%s: allowed=%s', (_name, sender, content, expected) => {
    expect(change(sender, content)).toBe(expected);
  });

  it('accepts numeric strings before v10 and refuses them from v10', () => {
    const stringy = { users: { [ANA]: '100', [BEA]: '50' }, ban: '50' };
    expect(change(ANA, stringy, '9')).toBe(true);
    expect(change(ANA, stringy, '10')).toBe(false);
  });

  it('checks notifications levels from v6', () => {
    expect(change(BEA, { users: { [ANA]: 100, [BEA]: 50 }, ban: 50, kick: 50, notifications: { room: 100 } })).toBe(
      false,
    );
  });
});

describe('power levels and v12 creators', () => {
  it('gives the creator 100 without a power-levels event, others 0', () => {
    const state = room(create(), member(ANA, 'join'));
    expect(userPowerLevel(ANA, state, v('10'))).toBe(100);
    expect(userPowerLevel(BEA, state, v('10'))).toBe(0);
  });

  it('gives v12 creators unlimited power that a power-levels event cannot lower', () => {
    const state = room(
      create({ additional_creators: [BEA] }),
      member(ANA, 'join'),
      member(BEA, 'join'),
      powerLevels({ users: {} }),
    );
    expect(userPowerLevel(ANA, state, v('12'))).toBe(Number.POSITIVE_INFINITY);
    expect(userPowerLevel(BEA, state, v('12'))).toBe(Number.POSITIVE_INFINITY);
    expect(allowed(ev('m.room.power_levels', ANA, { users: { [BEA]: 0 } }, ''), state, '12')).toBe(false);
  });
});

describe('auth event selection', () => {
  it('names create, power levels and the sender, plus target and join rules for memberships', () => {
    expect(authEventTypesFor(ev('m.room.message', BEA, {}), v('10'))).toEqual([
      'm.room.create\u0000',
      'm.room.power_levels\u0000',
      `m.room.member\u0000${BEA}`,
    ]);
    expect(authEventTypesFor(member(CARL, 'join', CARL, { join_authorised_via_users_server: ANA }), v('10'))).toEqual([
      'm.room.create\u0000',
      'm.room.power_levels\u0000',
      `m.room.member\u0000${CARL}`,
      'm.room.join_rules\u0000',
      `m.room.member\u0000${ANA}`,
    ]);
    expect(authEventTypesFor(create(), v('10'))).toEqual([]);
    expect(authEventTypesFor(ev('m.room.message', BEA, {}), v('12'))).not.toContain('m.room.create\u0000');
  });
});
