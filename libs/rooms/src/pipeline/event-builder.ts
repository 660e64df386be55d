import { Injectable } from '@nestjs/common';
import { canonicalJson, type JsonObject, type RoomEvent, type RoomVersion, type StateKeyTuple } from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import type { EventDraft } from '../events/event-draft';
import { MAX_EVENT_BYTES } from '../events/event-draft';
import { CREATE_TUPLE } from '../events/event-writes';
import { roomErrors } from '../room-errors';

/** Where a new event goes in the DAG and what authorises it. */
export interface EventPlace {
  readonly prevEvents: readonly string[];
  readonly depth: number;
  /** The auth state the version's selection chose (from v12 the create event is left out of auth_events). */
  readonly authState: ReadonlyMap<StateKeyTuple, RoomEvent>;
  readonly now: number;
  readonly version: RoomVersion;
}

/**
 * The one builder of new events: our users' events (signed here) and the membership templates
 * make_join, make_leave and make_knock hand to another server's user (signed there).
 */
@Injectable()
export class EventBuilder {
  constructor(private readonly signer: ServerSigner) {}

  /** The unsigned PDU: the draft placed in the DAG. Up to v11 the room is named; from v12 a create event names none. */
  template(roomId: string | undefined, draft: EventDraft, place: EventPlace): JsonObject {
    const { version } = place;
    const content =
      draft.redacts !== undefined && version.redaction.v11Rules
        ? { ...draft.content, redacts: draft.redacts }
        : draft.content;
    return {
      ...(roomId !== undefined ? { room_id: roomId } : {}),
      type: draft.type,
      ...(draft.state_key !== undefined ? { state_key: draft.state_key } : {}),
      sender: draft.sender,
      content,
      origin_server_ts: place.now,
      depth: place.depth,
      prev_events: [...place.prevEvents],
      auth_events: [...place.authState]
        .filter(([tuple]) => !(version.roomIdFromCreateEvent && tuple === CREATE_TUPLE))
        .map(([, e]) => e.event_id),
      ...(draft.redacts !== undefined ? { redacts: draft.redacts } : {}),
      // The sender's server: ours for our users' events, the joining user's for a template.
      ...(version.redaction.keepsLegacyTopLevelKeys
        ? { origin: draft.sender.slice(draft.sender.indexOf(':') + 1) }
        : {}),
    };
  }

  /** Our user's event: the template, hashed, signed with our key and given its event ID. */
  build(roomId: string | undefined, draft: EventDraft, place: EventPlace): RoomEvent {
    const { event: signed, eventId } = this.signer.signNewEvent(this.template(roomId, draft, place), place.version);
    if (Buffer.byteLength(canonicalJson(signed), 'utf8') > MAX_EVENT_BYTES) throw roomErrors.tooLarge();
    return { ...(signed as unknown as Omit<RoomEvent, 'event_id'>), room_id: roomId ?? '', event_id: eventId };
  }
}
