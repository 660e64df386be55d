import { userPowerLevel } from '../authorization';
import type { RoomEvent } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { authEventsState, compareByTimeThenId, type EventLookup } from './event-graph';

/**
 * Spec "Reverse topological power ordering": Kahn's algorithm over the auth DAG restricted to
 * `events`, always taking the smallest candidate: higher sender power first, then earlier
 * origin_server_ts, then smaller event ID. Earliest event first.
 */
export function reverseTopologicalPowerOrder(
  events: readonly RoomEvent[],
  getEvent: EventLookup,
  version: RoomVersion,
): RoomEvent[] {
  const inSet = new Map(events.map((e) => [e.event_id, e]));
  const power = new Map(
    events.map((e) => [e.event_id, userPowerLevel(e.sender, authEventsState(e, getEvent, version), version)]),
  );
  // An event can be placed once all of its auth events inside the set are placed.
  const waitingOn = new Map(events.map((e) => [e.event_id, new Set(e.auth_events.filter((id) => inSet.has(id)))]));
  const dependents = new Map<string, string[]>();
  for (const event of events)
    for (const id of waitingOn.get(event.event_id) ?? [])
      dependents.set(id, [...(dependents.get(id) ?? []), event.event_id]);

  const compare = (a: RoomEvent, b: RoomEvent) => {
    const byPower = (power.get(b.event_id) ?? 0) - (power.get(a.event_id) ?? 0);
    return byPower !== 0 && !Number.isNaN(byPower) ? byPower : compareByTimeThenId(a, b);
  };
  const ready = events.filter((e) => waitingOn.get(e.event_id)?.size === 0);
  const ordered: RoomEvent[] = [];
  while (ready.length > 0) {
    ready.sort(compare);
    const next = ready.shift() as RoomEvent;
    ordered.push(next);
    for (const dependent of dependents.get(next.event_id) ?? []) {
      const waiting = waitingOn.get(dependent);
      waiting?.delete(next.event_id);
      if (waiting?.size === 0) ready.push(inSet.get(dependent) as RoomEvent);
    }
  }
  return ordered;
}

/**
 * Spec "Mainline ordering" based on the power-levels event `powerLevels`: events whose power
 * levels descend from an earlier point of the mainline come first; then time, then event ID.
 */
export function mainlineOrder(
  events: readonly RoomEvent[],
  powerLevels: RoomEvent | undefined,
  getEvent: EventLookup,
): RoomEvent[] {
  const mainline = new Map<string, number>();
  for (let p = powerLevels, i = 0; p; p = powerLevelsParent(p, getEvent), i++) mainline.set(p.event_id, i);
  const position = new Map(events.map((e) => [e.event_id, mainlinePosition(e, mainline, getEvent)]));
  return [...events].sort((a, b) => {
    const pa = position.get(a.event_id) as number;
    const pb = position.get(b.event_id) as number;
    if (pa !== pb) return pa > pb ? -1 : 1;
    return compareByTimeThenId(a, b);
  });
}

function mainlinePosition(event: RoomEvent, mainline: Map<string, number>, getEvent: EventLookup): number {
  for (let e = powerLevelsParent(event, getEvent); e; e = powerLevelsParent(e, getEvent)) {
    const index = mainline.get(e.event_id);
    if (index !== undefined) return index;
  }
  return Number.POSITIVE_INFINITY;
}

function powerLevelsParent(event: RoomEvent, getEvent: EventLookup): RoomEvent | undefined {
  for (const id of event.auth_events) {
    const authEvent = getEvent(id);
    if (authEvent?.type === 'm.room.power_levels' && authEvent.state_key === '') return authEvent;
  }
  return undefined;
}
