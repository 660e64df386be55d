import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  authEventTypesFor,
  authorizeEvent,
  AuthError,
  canonicalJson,
  computeEventId,
  getRoomVersion,
  stateKeyTuple,
  type JsonObject,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import { MatrixError } from '@hearth/http';
import { ServerSigner } from '@hearth/signing';
import { PushEvaluator, type EventNotifications } from '../push/push-evaluator';
import { roomErrors } from '../room-errors';
import { EventRepository, type ClientTxn } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { WriteContextRepository, type WriteContext } from '../storage/write-context.repository';
import { MAX_EVENT_BYTES, MAX_STATE_KEY_BYTES, MAX_TYPE_BYTES, type EventDraft } from './event-draft';

export interface WrittenEvent {
  readonly event: RoomEvent;
  readonly streamOrdering: number;
}

/**
 * Turns a local user's draft into a signed PDU on top of the room's forward extremities,
 * authorises it against the current state with the protocol's auth rules, and persists it
 * with its edges, state group and stream position inside the caller's transaction.
 */
@Injectable()
export class EventWriter {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly context: WriteContextRepository,
    private readonly push: PushEvaluator,
    private readonly signer: ServerSigner,
  ) {}

  async write(roomId: string, draft: EventDraft, em: EntityManager, now = Date.now()): Promise<WrittenEvent> {
    const context = await this.lockAndRead(roomId, draft, em);
    return this.writeOnContext(roomId, draft, context, em, now);
  }

  /**
   * PUT /send and PUT /redact: the first request of a client transaction writes the event, a
   * retry (even a concurrent one, which waits for the room lock) gets the same event ID, and a
   * reuse of the transaction ID with a different body is refused.
   */
  async writeOnce(roomId: string, draft: EventDraft, txn: ClientTxn, em: EntityManager, now = Date.now()): Promise<{ eventId: string }> {
    const context = await this.lockAndRead(roomId, draft, em, txn);
    if (context.earlierTxn) {
      if (context.earlierTxn.bodyHash !== txn.bodyHash) throw roomErrors.txnReused();
      return { eventId: context.earlierTxn.eventId };
    }
    const { event } = await this.writeOnContext(roomId, draft, context, em, now, txn);
    return { eventId: event.event_id };
  }

  private async lockAndRead(roomId: string, draft: EventDraft, em: EntityManager, txn?: ClientTxn): Promise<WriteContext> {
    checkLimits(draft);
    // The room version decides which auth events apply, but it is read by the same query:
    // ask for every tuple any version could need, then keep this version's selection.
    const context = await this.context.lockAndRead(roomId, authTuplesOfAnyVersion(draft), em, txn);
    if (!context) throw roomErrors.notInRoom();
    return context;
  }

  private async writeOnContext(roomId: string, draft: EventDraft, context: WriteContext, em: EntityManager, now: number, txn?: ClientTxn): Promise<WrittenEvent> {
    const version = getRoomVersion(context.roomVersion);
    if (!version) throw roomErrors.unsupportedVersion(context.roomVersion);

    const prevEvents = context.extremities.map((e) => e.eventId);
    const depth = Math.max(0, ...context.extremities.map((e) => e.depth)) + 1;
    const authState = selectAuthState(context.authState, draft, version);

    const authEvents = [...authState].filter(([tuple]) => !(version.roomIdFromCreateEvent && tuple === CREATE_TUPLE)).map(([, e]) => e.event_id);
    const event = this.build(roomId, draft, { prevEvents, depth, authEvents, now, version });
    try {
      authorizeEvent(event, authState, version);
    } catch (error) {
      if (error instanceof AuthError) throw MatrixError.forbidden(error.message);
      throw error;
    }
    const notifications = await this.push.evaluate(event, version, authState, context.joined, em);
    // Our events reference every extremity and leave one, so there is one state to build on.
    const stateBefore = context.extremities[0]?.stateGroupAfter ?? null;
    const streamOrdering = await this.persist(event, stateBefore, em, version, { txn, notifications });
    return { event, streamOrdering };
  }

  /**
   * The room's very first event, m.room.create, and the room itself. Up to v11 the caller names
   * the room; from v12 the room ID is the create event's reference hash, with a `!` sigil.
   */
  async writeCreate(roomId: string | undefined, draft: EventDraft, version: RoomVersion, em: EntityManager, now = Date.now()): Promise<WrittenEvent> {
    if ((roomId === undefined) !== version.roomIdFromCreateEvent) throw new Error('Room IDs are derived from the create event exactly from room version 12');
    const built = this.build(roomId, draft, { prevEvents: [], depth: 1, authEvents: [], now, version });
    const event: RoomEvent = roomId === undefined ? { ...built, room_id: `!${built.event_id.slice(1)}` } : built;
    authorizeEvent(event, new Map(), version);
    await this.rooms.insert({ roomId: event.room_id, roomVersion: version.id, creator: draft.sender }, now, em);
    return { event, streamOrdering: await this.persist(event, null, em, version) };
  }

  private build(
    roomId: string | undefined,
    draft: EventDraft,
    place: { prevEvents: string[]; depth: number; authEvents: string[]; now: number; version: RoomVersion },
  ): RoomEvent {
    const { version } = place;
    const content = draft.redacts !== undefined && version.redaction.v11Rules ? { ...draft.content, redacts: draft.redacts } : draft.content;
    const pdu: JsonObject = {
      ...(roomId !== undefined ? { room_id: roomId } : {}),
      sender: draft.sender,
      type: draft.type,
      content,
      origin_server_ts: place.now,
      depth: place.depth,
      prev_events: place.prevEvents,
      auth_events: place.authEvents,
      ...(draft.state_key !== undefined ? { state_key: draft.state_key } : {}),
      ...(draft.redacts !== undefined ? { redacts: draft.redacts } : {}),
      ...(version.redaction.keepsLegacyTopLevelKeys ? { origin: this.signer.serverName } : {}),
    };
    const signed = this.signer.signEvent(pdu, version);
    if (Buffer.byteLength(canonicalJson(signed), 'utf8') > MAX_EVENT_BYTES) throw roomErrors.tooLarge();
    return { ...(signed as unknown as Omit<RoomEvent, 'event_id'>), room_id: roomId ?? '', event_id: computeEventId(signed, version) };
  }

  private async persist(
    event: RoomEvent,
    before: number | null,
    em: EntityManager,
    version: RoomVersion,
    extra: { txn?: ClientTxn; notifications?: EventNotifications } = {},
  ): Promise<number> {
    const tuple = event.state_key === undefined ? undefined : stateKeyTuple(event.type, event.state_key);
    const after = tuple === undefined ? before : await this.state.createGroup(event.room_id, before, new Map([[tuple, event.event_id]]), em);
    const relation = relationOf(event);
    const redacts = event.type === 'm.room.redaction' ? (event.redacts ?? (typeof event.content.redacts === 'string' ? event.content.redacts : undefined)) : undefined;
    return this.events.insert(event, {
      stateGroups: { before, after },
      pduHasRoomId: !(version.roomIdFromCreateEvent && event.type === 'm.room.create'),
      ...extra,
      ...(event.type === 'm.room.member' && typeof event.content.membership === 'string' ? { membership: event.content.membership } : {}),
      ...(relation ? { relation } : {}),
      ...(redacts !== undefined ? { redacts } : {}),
    }, em);
  }
}

/** Spec "Relationships": `m.relates_to` with a rel_type and an event_id. Replies alone are not relations. */
function relationOf(event: RoomEvent): { relatesTo: string; relType: string } | undefined {
  const relatesTo = event.content['m.relates_to'];
  if (typeof relatesTo !== 'object' || relatesTo === null || Array.isArray(relatesTo)) return undefined;
  const { rel_type: relType, event_id: parent } = relatesTo;
  return typeof relType === 'string' && typeof parent === 'string' ? { relatesTo: parent, relType } : undefined;
}

const CREATE_TUPLE = stateKeyTuple('m.room.create', '');
const NEWEST_VERSION = getRoomVersion('12') as RoomVersion;

function authTuplesOfAnyVersion(draft: EventDraft): StateKeyTuple[] {
  return [...new Set([CREATE_TUPLE, ...authEventTypesFor(draft, NEWEST_VERSION)])];
}

/** This version's auth selection; from v12 the create event is not an auth event but the rules still consult it. */
function selectAuthState(candidates: ReadonlyMap<StateKeyTuple, RoomEvent>, draft: EventDraft, version: RoomVersion): Map<StateKeyTuple, RoomEvent> {
  const wanted = new Set([...authEventTypesFor(draft, version), ...(version.roomIdFromCreateEvent ? [CREATE_TUPLE] : [])]);
  return new Map([...candidates].filter(([tuple]) => wanted.has(tuple)));
}

function checkLimits(draft: EventDraft): void {
  if (Buffer.byteLength(draft.type, 'utf8') > MAX_TYPE_BYTES) throw MatrixError.badJson('Event type is longer than 255 bytes');
  if (draft.state_key !== undefined && Buffer.byteLength(draft.state_key, 'utf8') > MAX_STATE_KEY_BYTES) {
    throw MatrixError.badJson('State key is longer than 255 bytes');
  }
}
