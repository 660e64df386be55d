import type { JsonObject } from '../json';
import { stateKeyTuple, type RoomEvent, type RoomState } from '../room-event';

/** Test-only builders: small rooms as maps of state, and events to authorise against them. */
let counter = 0;

export function ev(
  type: string,
  sender: string,
  content: JsonObject,
  stateKey?: string,
  extra: Partial<RoomEvent> = {},
): RoomEvent {
  counter += 1;
  return {
    event_id: `$e${counter}`,
    room_id: '!room:a.example',
    sender,
    type,
    content,
    origin_server_ts: counter,
    depth: counter,
    prev_events: ['$prev'],
    auth_events: [],
    ...(stateKey !== undefined ? { state_key: stateKey } : {}),
    ...extra,
  };
}

export function room(...events: RoomEvent[]): Map<string, RoomEvent> {
  const state = new Map<string, RoomEvent>();
  for (const event of events)
    if (event.state_key !== undefined) state.set(stateKeyTuple(event.type, event.state_key), event);
  return state;
}

export const ANA = '@ana:a.example';
export const BEA = '@bea:a.example';
export const CARL = '@carl:a.example';
export const EVE = '@eve:evil.example';

export const create = (content: JsonObject = { creator: ANA }, sender = ANA) =>
  ev('m.room.create', sender, content, '', { prev_events: [] });
export const member = (user: string, membership: string, sender = user, content: JsonObject = {}) =>
  ev('m.room.member', sender, { membership, ...content }, user);
export const joinRules = (joinRule: string) => ev('m.room.join_rules', ANA, { join_rule: joinRule }, '');
export const powerLevels = (content: JsonObject) => ev('m.room.power_levels', ANA, content, '');

/** A room created by ana (power 100) where bea is a joined member with power 0. */
export function basicRoom(joinRule = 'invite', extra: RoomEvent[] = []): RoomState {
  return room(
    create(),
    member(ANA, 'join'),
    powerLevels({
      users: { [ANA]: 100 },
      users_default: 0,
      state_default: 50,
      events_default: 0,
      ban: 50,
      kick: 50,
      redact: 50,
      invite: 0,
    }),
    joinRules(joinRule),
    member(BEA, 'join'),
    ...extra,
  );
}
