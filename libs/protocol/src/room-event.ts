import type { JsonObject } from './json';

/**
 * A room event (PDU) as the rooms and federation code handle it, with its event ID beside it:
 * from room version 3 the ID is not part of the signed JSON but computed from it.
 */
export interface RoomEvent {
  readonly event_id: string;
  readonly room_id: string;
  readonly sender: string;
  readonly type: string;
  /** Present (possibly '') for state events only. */
  readonly state_key?: string;
  readonly content: JsonObject;
  readonly origin_server_ts: number;
  readonly depth: number;
  readonly prev_events: readonly string[];
  readonly auth_events: readonly string[];
  /** v1–v10 m.room.redaction: the redacted event; v11+ carries it in content.redacts. */
  readonly redacts?: string;
  readonly hashes?: { readonly sha256: string };
  readonly signatures?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly unsigned?: JsonObject;
}

/** Key of a piece of room state: the pair (type, state_key), joined by a NUL that neither may hold. */
export type StateKeyTuple = string;

export function stateKeyTuple(type: string, stateKey: string): StateKeyTuple {
  return `${type}\u0000${stateKey}`;
}

export function splitStateKeyTuple(tuple: StateKeyTuple): { type: string; stateKey: string } {
  const separator = tuple.indexOf('\u0000');
  return { type: tuple.slice(0, separator), stateKey: tuple.slice(separator + 1) };
}

export function isStateEvent(event: Pick<RoomEvent, 'state_key'>): boolean {
  return event.state_key !== undefined;
}

/** Room state: (type, state_key) to event. */
export type RoomState = ReadonlyMap<StateKeyTuple, RoomEvent>;

/** The PDU as it goes over federation: no event_id (computed from v3 on), and from v12 no room_id on the create event. */
export function toPdu(event: RoomEvent, roomIdFromCreateEvent: boolean): JsonObject {
  const { event_id: _eventId, unsigned: _unsigned, ...pdu } = event;
  if (roomIdFromCreateEvent && event.type === 'm.room.create') {
    const { room_id: _roomId, ...withoutRoom } = pdu;
    return withoutRoom as unknown as JsonObject;
  }
  return pdu as unknown as JsonObject;
}
