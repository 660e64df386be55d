import {
  authEventTypesFor,
  getRoomVersion,
  stateKeyTuple,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import type { EventDraft } from './event-draft';
import type { ClientTxn, EventWrites } from '../storage/event.repository';
import type { EventNotifications } from '../push/push-evaluator';

export function writesOf(
  event: RoomEvent,
  version: RoomVersion,
  stateGroups: EventWrites['stateGroups'],
  extra: { txn?: ClientTxn; notifications?: EventNotifications },
): EventWrites {
  const relation = relationOf(event);
  const redacts = event.type === 'm.room.redaction' ? (event.redacts ?? (typeof event.content.redacts === 'string' ? event.content.redacts : undefined)) : undefined;
  return {
    stateGroups,
    pduHasRoomId: !(version.roomIdFromCreateEvent && event.type === 'm.room.create'),
    ...extra,
    ...(event.type === 'm.room.member' && typeof event.content.membership === 'string' ? { membership: event.content.membership } : {}),
    ...(relation ? { relation } : {}),
    ...(redacts !== undefined ? { redacts } : {}),
  };
}

/** Spec "Relationships": `m.relates_to` with a rel_type and an event_id. Replies alone are not relations. */
function relationOf(event: RoomEvent): { relatesTo: string; relType: string } | undefined {
  const relatesTo = event.content['m.relates_to'];
  if (typeof relatesTo !== 'object' || relatesTo === null || Array.isArray(relatesTo)) return undefined;
  const { rel_type: relType, event_id: parent } = relatesTo;
  return typeof relType === 'string' && typeof parent === 'string' ? { relatesTo: parent, relType } : undefined;
}

export const CREATE_TUPLE = stateKeyTuple('m.room.create', '');
const NEWEST_VERSION = getRoomVersion('12') as RoomVersion;

export function authTuplesOfAnyVersion(draft: EventDraft): StateKeyTuple[] {
  return [...new Set([CREATE_TUPLE, ...authEventTypesFor(draft, NEWEST_VERSION)])];
}

/** This version's auth selection; from v12 the create event is not an auth event but the rules still consult it. */
export function selectAuthState(candidates: ReadonlyMap<StateKeyTuple, RoomEvent>, draft: EventDraft, version: RoomVersion): Map<StateKeyTuple, RoomEvent> {
  const wanted = new Set([...authEventTypesFor(draft, version), ...(version.roomIdFromCreateEvent ? [CREATE_TUPLE] : [])]);
  return new Map([...candidates].filter(([tuple]) => wanted.has(tuple)));
}
