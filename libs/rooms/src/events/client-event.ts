import { redactEvent, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import type { StoredEvent } from '../storage/event.repository';

/** Who events are served to: their own sends from this device carry the transaction ID. */
export interface Viewer {
  readonly userId: string;
  readonly deviceId: string;
}

export interface ClientEventOptions {
  /** Transaction IDs of the viewing device's own sends, by event ID (EventRepository.transactionIds). */
  readonly transactionIds?: ReadonlyMap<string, string>;
  readonly now?: number;
}

/**
 * Spec CS API "ClientEvent": what clients see of a PDU. Redacted events, and erased users' events
 * for readers who were not there when they were sent, are served redacted.
 * `unsigned.transaction_id` goes only to the device that sent the event, so its client can match
 * the event to its local echo instead of showing the message twice (nheko, weechat-matrix).
 */
export function toClientEvent(stored: StoredEvent, version: RoomVersion, options: ClientEventOptions = {}): JsonObject {
  const event =
    stored.redactedBy || stored.erased
      ? (redactEvent(stored.event as unknown as JsonObject, version) as unknown as RoomEvent)
      : stored.event;
  const unsigned: JsonObject = { age: Math.max(0, (options.now ?? Date.now()) - event.origin_server_ts) };
  if (stored.redactedBy) unsigned.redacted_because = { event_id: stored.redactedBy };
  const transactionId = options.transactionIds?.get(stored.event.event_id);
  if (transactionId !== undefined) unsigned.transaction_id = transactionId;
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
