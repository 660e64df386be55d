import type { JsonObject } from '@hearth/protocol';
import type { NotifiedEvent } from '@hearth/rooms';
import type { Pusher } from './pusher.repository';
import type { PendingPush } from './push-outbox.repository';

/** Spec CS API: the one format named, and our default (docs/push.md: what a gateway never sees). */
export const EVENT_ID_ONLY = 'event_id_only';

/** Whether the pusher asked for the event's details: only by naming a format other than event_id_only. */
export function wantsEventDetails(pusher: Pusher): boolean {
  const format = pusher.data.format;
  return typeof format === 'string' && format !== EVENT_ID_ONLY;
}

/**
 * Spec Push Gateway API `POST /_matrix/push/v1/notify`. With event_id_only the gateway learns the
 * event and room IDs, the unread count and the priority, never the sender, content or room name.
 * `event` is read only for a pusher that asked for details, and for the priority.
 */
export function notifyBody(
  pusher: Pusher,
  push: PendingPush,
  unread: number,
  event: NotifiedEvent | undefined,
): JsonObject {
  // Spec: counts-only notifications carry no event; the count goes even at zero, to clear the badge (as Synapse).
  if (push.kind === 'badge') return { notification: { counts: { unread }, devices: [device(pusher, {})] } };
  const details = wantsEventDetails(pusher) && event ? eventDetails(pusher, event) : {};
  return {
    notification: {
      event_id: push.eventId,
      room_id: push.roomId,
      ...details,
      prio: priority(pusher, push, event),
      counts: unread > 0 ? { unread } : {},
      devices: [device(pusher, push.highlight ? { highlight: true } : {})],
    },
  };
}

function device(pusher: Pusher, tweaks: JsonObject): JsonObject {
  return {
    app_id: pusher.appId,
    pushkey: pusher.pushkey,
    pushkey_ts: Math.floor(pusher.pushkeyTs / 1000),
    data: dataWithoutUrl(pusher.data),
    tweaks,
  };
}

/** Spec CS API: the pusher's `data`, custom keys and `format` included, minus `url`. */
function dataWithoutUrl(data: Readonly<Record<string, unknown>>): JsonObject {
  const { url: _url, ...rest } = data;
  return rest as JsonObject;
}

function eventDetails(pusher: Pusher, event: NotifiedEvent): JsonObject {
  return {
    type: event.type,
    sender: event.sender,
    ...(event.senderDisplayName !== undefined ? { sender_display_name: event.senderDisplayName } : {}),
    ...(event.roomName !== undefined ? { room_name: event.roomName } : {}),
    ...(event.content !== undefined ? { content: event.content as JsonObject } : {}),
    ...(event.type === 'm.room.member' ? { user_is_target: event.stateKey === pusher.userId } : {}),
  };
}

/**
 * As Synapse: high for what should wake a phone (a highlight, an encrypted event whose content the
 * server cannot judge, an invite), low for the rest, so gateways may save battery.
 */
function priority(pusher: Pusher, push: { highlight: boolean }, event: NotifiedEvent | undefined): 'high' | 'low' {
  if (push.highlight || !event) return 'high';
  if (event.type === 'm.room.encrypted') return 'high';
  if (event.type === 'm.room.member' && event.stateKey === pusher.userId) return 'high';
  return event.type === 'm.room.message' ? 'high' : 'low';
}
