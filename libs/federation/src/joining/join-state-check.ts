import { authEventsState, authorizeEvent, AuthError, type RoomEvent, type RoomVersion } from '@hearth/protocol';

/**
 * Spec SS API send_join: the joining server checks the state it was given. Each state event
 * must pass the auth rules against its own auth events (which must be in the answer), and the
 * join itself against the state. Returns the state events that pass; throws if the join fails.
 */
export function checkJoinState(
  join: RoomEvent,
  state: readonly RoomEvent[],
  authChain: readonly RoomEvent[],
  version: RoomVersion,
): RoomEvent[] {
  const byId = new Map([...authChain, ...state].map((event) => [event.event_id, event]));
  const lookup = (id: string) => byId.get(id);
  // Auth events come before what they authorise; checking in depth order needs no recursion.
  const passes = new Set<string>();
  for (const event of [...byId.values()].sort((a, b) => a.depth - b.depth)) {
    if (!event.auth_events.every((id) => passes.has(id))) continue;
    try {
      authorizeEvent(event, authEventsState(event, lookup, version), version);
      passes.add(event.event_id);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
    }
  }
  const check = (event: RoomEvent) => passes.has(event.event_id);
  const accepted = state.filter(check);
  authorizeEvent(join, authEventsState(join, lookup, version), version);
  return accepted;
}
