import {
  authEventTypesFor,
  getRoomVersion,
  stateKeyTuple,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import type { EventDraft } from './event-draft';

export const CREATE_TUPLE = stateKeyTuple('m.room.create', '');
const NEWEST_VERSION = getRoomVersion('12') as RoomVersion;

export function authTuplesOfAnyVersion(draft: EventDraft): StateKeyTuple[] {
  return [...new Set([CREATE_TUPLE, ...authEventTypesFor(draft, NEWEST_VERSION)])];
}

/** This version's auth selection; from v12 the create event is not an auth event but the rules still consult it. */
export function selectAuthState(
  candidates: ReadonlyMap<StateKeyTuple, RoomEvent>,
  draft: EventDraft,
  version: RoomVersion,
): Map<StateKeyTuple, RoomEvent> {
  const wanted = new Set([
    ...authEventTypesFor(draft, version),
    ...(version.roomIdFromCreateEvent ? [CREATE_TUPLE] : []),
  ]);
  return new Map([...candidates].filter(([tuple]) => wanted.has(tuple)));
}
