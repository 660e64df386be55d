import { authEventTypesFor, authorizeEvent } from '../authorization';
import { stateKeyTuple, type RoomEvent, type StateKeyTuple } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { authEventsState, type EventLookup } from './event-graph';

const CREATE = stateKeyTuple('m.room.create', '');

/**
 * Spec "Iterative auth checks": apply each state event, in order, if the auth rules allow it
 * against the state so far, falling back to the event's own auth events for missing keys.
 */
export function iterativeAuthChecks(
  initial: ReadonlyMap<StateKeyTuple, string>,
  events: readonly RoomEvent[],
  getEvent: EventLookup,
  version: RoomVersion,
): Map<StateKeyTuple, string> {
  const state = new Map(initial);
  for (const event of events) {
    if (event.state_key === undefined) continue;
    const own = authEventsState(event, getEvent, version);
    const authState = new Map<StateKeyTuple, RoomEvent>();
    // From v12 the create event is not among auth_events; the rules still consult it.
    const needed = version.roomIdFromCreateEvent
      ? [CREATE, ...authEventTypesFor(event, version)]
      : authEventTypesFor(event, version);
    for (const tuple of needed) {
      const current = state.get(tuple);
      const chosen = (current !== undefined ? getEvent(current) : undefined) ?? own.get(tuple);
      if (chosen) authState.set(tuple, chosen);
    }
    try {
      authorizeEvent(event, authState, version);
      state.set(stateKeyTuple(event.type, event.state_key), event.event_id);
    } catch {
      // Not allowed against the state resolved so far: ignored, as the algorithm says.
    }
  }
  return state;
}
