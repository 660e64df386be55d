import { stateKeyTuple, type RoomEvent, type StateKeyTuple } from '../room-event';
import type { RoomVersion } from '../room-versions';

export type EventLookup = (eventId: string) => RoomEvent | undefined;

/** The auth chain of the given events (spec "Auth chain"), walked iteratively. Unknown events are skipped. */
export function authChain(eventIds: Iterable<string>, getEvent: EventLookup): Set<string> {
  const chain = new Set<string>();
  const pending: string[] = [];
  for (const id of eventIds) pending.push(...(getEvent(id)?.auth_events ?? []));
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (chain.has(id)) continue;
    const event = getEvent(id);
    if (!event) continue;
    chain.add(id);
    pending.push(...event.auth_events);
  }
  return chain;
}

/**
 * The state an event's own auth_events describe. From room version 12 the create event is not
 * listed there; it is the event whose ID is the room ID with a `$` sigil, and is added.
 */
export function authEventsState(
  event: RoomEvent,
  getEvent: EventLookup,
  version: RoomVersion,
): Map<StateKeyTuple, RoomEvent> {
  const state = new Map<StateKeyTuple, RoomEvent>();
  for (const id of event.auth_events) {
    const authEvent = getEvent(id);
    if (authEvent?.state_key !== undefined) state.set(stateKeyTuple(authEvent.type, authEvent.state_key), authEvent);
  }
  const createTuple = stateKeyTuple('m.room.create', '');
  if (version.roomIdFromCreateEvent && !state.has(createTuple)) {
    const create = getEvent(`$${event.room_id.slice(1)}`);
    if (create) state.set(createTuple, create);
  }
  return state;
}

/** Spec "Power events": power levels, join rules, and kicks or bans of someone else. */
export function isPowerEvent(event: RoomEvent): boolean {
  if (event.state_key === undefined) return false;
  if (event.type === 'm.room.power_levels' || event.type === 'm.room.join_rules') return true;
  const membership = event.content.membership;
  return (
    event.type === 'm.room.member' &&
    (membership === 'leave' || membership === 'ban') &&
    event.sender !== event.state_key
  );
}

/** Orders by origin_server_ts, then event ID: the tie-breaks shared by both orderings. */
export function compareByTimeThenId(a: RoomEvent, b: RoomEvent): number {
  if (a.origin_server_ts !== b.origin_server_ts) return a.origin_server_ts - b.origin_server_ts;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
