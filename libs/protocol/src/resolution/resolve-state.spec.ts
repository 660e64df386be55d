import { stateKeyTuple } from '../room-event';
import { getRoomVersion, type RoomVersion } from '../room-versions';
import { mainlineOrder, reverseTopologicalPowerOrder } from './orderings';
import { ANA, BEA, CARL, Dag, EVE, startingRoom } from './resolution.fixtures';
import { resolveState } from './resolve-state';

const v10 = getRoomVersion('10') as RoomVersion;
const v12 = getRoomVersion('12') as RoomVersion;
const member = (user: string) => stateKeyTuple('m.room.member', user);
const POWER = stateKeyTuple('m.room.power_levels', '');
const TOPIC = stateKeyTuple('m.room.topic', '');
const JOIN_RULES = stateKeyTuple('m.room.join_rules', '');

describe('state resolution v2: classic scenarios', () => {
  it('passes unconflicted state through unchanged', () => {
    const dag = new Dag();
    const base = startingRoom(dag);
    const state = dag.stateOf(...base);
    expect(resolveState({ version: v10, stateSets: [state, new Map(state)], getEvent: dag.get })).toEqual(state);
  });

  it('ban against power-level change: the more powerful banner wins', () => {
    const dag = new Dag();
    const base = startingRoom(dag);
    // Fork A: ana bans eve. Fork B: eve, still at 50, promotes carl to 50.
    dag.add('ban', 'm.room.member', ANA, { membership: 'ban' }, EVE, ['create', 'ima', 'power', 'ime']);
    dag.add(
      'pl_eve',
      'm.room.power_levels',
      EVE,
      {
        users: { [ANA]: 100, [EVE]: 50, [CARL]: 50 },
        state_default: 50,
        ban: 50,
        kick: 50,
        events_default: 0,
        invite: 0,
      },
      '',
      ['create', 'ime', 'power'],
    );
    const resolved = resolveState({
      version: v10,
      stateSets: [dag.stateOf(...base, 'ban'), dag.stateOf(...base, 'pl_eve')],
      getEvent: dag.get,
    });
    expect(resolved.get(member(EVE))).toBe('$ban');
    expect(resolved.get(POWER)).toBe('$power');
  });

  it('topic reset: a topic set by a user whose power was concurrently revoked does not win', () => {
    const dag = new Dag();
    const base = startingRoom(dag);
    dag.add('topic_eve', 'm.room.topic', EVE, { topic: 'T2' }, '', ['create', 'ime', 'power']);
    dag.add(
      'demote',
      'm.room.power_levels',
      ANA,
      { users: { [ANA]: 100 }, state_default: 50, ban: 50, kick: 50, events_default: 0, invite: 0 },
      '',
      ['create', 'ima', 'power'],
    );
    const resolved = resolveState({
      version: v10,
      stateSets: [dag.stateOf(...base, 'topic_eve'), dag.stateOf(...base, 'demote')],
      getEvent: dag.get,
    });
    expect(resolved.get(POWER)).toBe('$demote');
    expect(resolved.get(TOPIC)).toBe('$topic');
  });

  it('join-rule evasion: a join on a fork where the room was still public does not survive the switch to invite-only', () => {
    const dag = new Dag();
    const base = startingRoom(dag);
    dag.add('jr_invite', 'm.room.join_rules', ANA, { join_rule: 'invite' }, '', ['create', 'ima', 'power']);
    dag.add('imc', 'm.room.member', CARL, { membership: 'join' }, CARL, ['create', 'jr', 'power']);
    const resolved = resolveState({
      version: v10,
      stateSets: [dag.stateOf(...base, 'jr_invite'), dag.stateOf(...base, 'imc')],
      getEvent: dag.get,
    });
    expect(resolved.get(JOIN_RULES)).toBe('$jr_invite');
    expect(resolved.has(member(CARL))).toBe(false);
  });

  it('power-level race: a demotion by the room admin beats a promotion chain built on the demoted user', () => {
    const dag = new Dag();
    const base = startingRoom(dag, { [ANA]: 100, [EVE]: 50 });
    // Fork A: eve promotes bea to 50. Fork B: ana demotes eve to 0.
    dag.add(
      'eve_promotes',
      'm.room.power_levels',
      EVE,
      {
        users: { [ANA]: 100, [EVE]: 50, [BEA]: 50 },
        state_default: 50,
        ban: 50,
        kick: 50,
        events_default: 0,
        invite: 0,
      },
      '',
      ['create', 'ime', 'power'],
    );
    dag.add(
      'ana_demotes',
      'm.room.power_levels',
      ANA,
      { users: { [ANA]: 100, [EVE]: 0 }, state_default: 50, ban: 50, kick: 50, events_default: 0, invite: 0 },
      '',
      ['create', 'ima', 'power'],
    );
    const resolved = resolveState({
      version: v10,
      stateSets: [dag.stateOf(...base, 'eve_promotes'), dag.stateOf(...base, 'ana_demotes')],
      getEvent: dag.get,
    });
    expect(resolved.get(POWER)).toBe('$ana_demotes');
  });

  it('resolves the same scenarios with v2.1 (room version 12, empty starting state)', () => {
    const dag = new Dag('!create');
    dag.add('create', 'm.room.create', ANA, { room_version: '12' }, '', []);
    dag.add('ima', 'm.room.member', ANA, { membership: 'join' }, ANA, ['create']);
    dag.add('power', 'm.room.power_levels', ANA, { users: { [EVE]: 50 }, state_default: 50, ban: 50, kick: 50 }, '', [
      'ima',
    ]);
    dag.add('jr', 'm.room.join_rules', ANA, { join_rule: 'public' }, '', ['ima', 'power']);
    dag.add('ime', 'm.room.member', EVE, { membership: 'join' }, EVE, ['jr', 'power']);
    dag.add('ban', 'm.room.member', ANA, { membership: 'ban' }, EVE, ['ima', 'power', 'ime']);
    dag.add(
      'pl_eve',
      'm.room.power_levels',
      EVE,
      { users: { [EVE]: 50, [CARL]: 50 }, state_default: 50, ban: 50, kick: 50 },
      '',
      ['ime', 'power'],
    );
    const base = ['create', 'ima', 'power', 'jr', 'ime'];
    const resolved = resolveState({
      version: v12,
      stateSets: [dag.stateOf(...base, 'ban'), dag.stateOf(...base, 'pl_eve')],
      getEvent: dag.get,
    });
    expect(resolved.get(member(EVE))).toBe('$ban');
    expect(resolved.get(POWER)).toBe('$power');
  });
});

describe('orderings', () => {
  it('reverse topological power ordering: auth parents first, then higher power, then earlier time', () => {
    const dag = new Dag();
    startingRoom(dag);
    const low = dag.add('low', 'm.room.join_rules', EVE, { join_rule: 'public' }, '', ['create', 'ime', 'power']);
    const high = dag.add('high', 'm.room.join_rules', ANA, { join_rule: 'invite' }, '', ['create', 'ima', 'power']);
    const child = dag.add('child', 'm.room.power_levels', ANA, { users: { [ANA]: 100 } }, '', ['create', 'ima', 'low']);
    const ordered = reverseTopologicalPowerOrder([child, low, high], dag.get, v10).map((e) => e.event_id);
    expect(ordered).toEqual(['$high', '$low', '$child']);
  });

  it('mainline ordering: events based on earlier power levels first, then by time', () => {
    const dag = new Dag();
    startingRoom(dag);
    const p2 = dag.add('p2', 'm.room.power_levels', ANA, { users: { [ANA]: 100 } }, '', ['create', 'ima', 'power']);
    const onOld = dag.add('on_old', 'm.room.topic', ANA, { topic: 'a' }, '', ['create', 'ima', 'power']);
    const onNew = dag.add('on_new', 'm.room.topic', ANA, { topic: 'b' }, '', ['create', 'ima', 'p2']);
    const earlierOnNew = { ...onNew, event_id: '$on_new_early', origin_server_ts: 0 };
    dag.events.set(earlierOnNew.event_id, earlierOnNew);
    expect(mainlineOrder([onNew, onOld, earlierOnNew], p2, dag.get).map((e) => e.event_id)).toEqual([
      '$on_old',
      '$on_new_early',
      '$on_new',
    ]);
  });
});
