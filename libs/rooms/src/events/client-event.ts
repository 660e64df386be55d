import { redactEvent, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import type { StoredEvent } from '../storage/event.repository';

/** Spec CS API "ClientEvent": what clients see of a PDU. Redacted events are served redacted. */
export function toClientEvent(stored: StoredEvent, version: RoomVersion, now = Date.now()): JsonObject {
  const event = stored.redactedBy ? (redactEvent(stored.event as unknown as JsonObject, version) as unknown as RoomEvent) : stored.event;
  const unsigned: JsonObject = { age: Math.max(0, now - event.origin_server_ts) };
  if (stored.redactedBy) unsigned.redacted_because = { event_id: stored.redactedBy };
  return {
    content: event.content,
    event_id: stored.event.event_id,
    origin_server_ts: event.origin_server_ts,
    room_id: stored.event.room_id,
    sender: event.sender,
    type: event.type,
    ...(event.state_key !== undefined ? { state_key: event.state_key } : {}),
    ...(event.redacts !== undefined ? { redacts: event.redacts } : {}),
    unsigned,
  };
}
