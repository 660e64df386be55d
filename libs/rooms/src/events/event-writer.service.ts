import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  authorizeEvent,
  AuthError,
  getRoomVersion,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import { MatrixError } from '@hearth/http';
import { ServerSigner } from '@hearth/signing';
import { PushEvaluator, type EventNotifications } from '../push/push-evaluator';
import { roomErrors } from '../room-errors';
import type { ClientTxn } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { txnKey, WriteContextRepository, type WriteContext } from '../storage/write-context.repository';
import { MAX_STATE_KEY_BYTES, MAX_TYPE_BYTES, type EventDraft } from './event-draft';
import { EventBuilder } from '../pipeline/event-builder';
import { EventPipeline, type NewLocalEvent } from '../pipeline/event-pipeline.service';
import { authTuplesOfAnyVersion, selectAuthState } from './event-writes';

export interface WrittenEvent {
  readonly event: RoomEvent;
  readonly streamOrdering: number;
}

/** A client's send under a transaction ID (PUT /send, PUT /redact): never a state event. */
export interface TxnSend {
  readonly roomId: string;
  readonly draft: EventDraft;
  readonly txn: ClientTxn;
}

export type TxnSendResult = { readonly eventId: string } | { readonly error: unknown };

/** Where the next event of a room goes: on the previous one, as the writer advances through a batch. */
interface RoomHead {
  readonly version: RoomVersion;
  readonly context: WriteContext;
  prevEvents: string[];
  depth: number;
  stateGroup: number | null;
}

/**
 * Turns local users' drafts into signed PDUs (EventBuilder) on top of the room's forward
 * extremities, authorises them against the current state with the protocol's auth rules, and
 * hands them to the EventPipeline as `new-local` inside the caller's transaction.
 */
@Injectable()
export class EventWriter {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly context: WriteContextRepository,
    private readonly push: PushEvaluator,
    private readonly signer: ServerSigner,
    private readonly builder: EventBuilder,
    private readonly pipeline: EventPipeline,
  ) {}

  async write(roomId: string, draft: EventDraft, em: EntityManager, now = Date.now()): Promise<WrittenEvent> {
    checkLimits(draft);
    const batch = await this.context.lockAndRead([{ roomId, tuples: authTuplesOfAnyVersion(draft) }], [], em);
    const context = batch.rooms.get(roomId);
    if (!context) throw roomErrors.notInRoom();
    const head = headOf(context);
    const { event, notifications } = await this.prepare(roomId, head, draft, now, em);
    // Their server must countersign first, over the network: never while holding the room's lock.
    if (this.isRemoteInvite(event))
      throw new Error('Invites for users of other servers go through RemoteInviteService');
    const [streamOrdering] = await this.pipeline.newLocal(
      [{ event, version: head.version, stateBefore: head.stateGroup, joined: context.joined.keys(), notifications }],
      em,
      { now },
    );
    return { event, streamOrdering: streamOrdering as number };
  }

  /**
   * Many client sends, to any rooms, with one lock, one read and one insert, which commits the
   * caller's transaction (nothing may follow it there). The first request of a client
   * transaction writes the event; a retry (even a concurrent one, which waits for the room lock
   * or meets the first in the batch) gets the same event ID, and a reuse of the transaction ID
   * with a different body is refused. A send that fails gets its error in its place and takes
   * nothing else down.
   */
  async writeBatch(sends: readonly TxnSend[], em: EntityManager, now = Date.now()): Promise<TxnSendResult[]> {
    const results: TxnSendResult[] = sends.map(() => ({ error: undefined }));
    const wanted = new Map<string, Set<StateKeyTuple>>();
    for (const { roomId, draft } of sends) {
      const tuples = wanted.get(roomId) ?? new Set();
      for (const tuple of authTuplesOfAnyVersion(draft)) tuples.add(tuple);
      wanted.set(roomId, tuples);
    }
    const batch = await this.context.lockAndRead(
      [...wanted].map(([roomId, tuples]) => ({ roomId, tuples: [...tuples] })),
      sends.map((send) => send.txn),
      em,
    );
    const heads = new Map<string, RoomHead>();
    const written = new Map<string, { eventId: string; bodyHash: string }>(batch.earlierTxns);
    const inserts: NewLocalEvent[] = [];
    for (const [index, { roomId, draft, txn }] of sends.entries()) {
      try {
        const earlier = written.get(txnKey(txn));
        if (earlier) {
          if (earlier.bodyHash !== txn.bodyHash) throw roomErrors.txnReused();
          results[index] = { eventId: earlier.eventId };
          continue;
        }
        if (draft.state_key !== undefined) throw new Error('State events are written one at a time');
        checkLimits(draft);
        const context = batch.rooms.get(roomId);
        if (!context) throw roomErrors.notInRoom();
        const head = heads.get(roomId) ?? headOf(context);
        heads.set(roomId, head);
        const { event, notifications } = await this.prepare(roomId, head, draft, now, em);
        inserts.push({
          event,
          version: head.version,
          stateBefore: head.stateGroup,
          joined: context.joined.keys(),
          txn,
          notifications,
        });
        written.set(txnKey(txn), { eventId: event.event_id, bodyHash: txn.bodyHash });
        results[index] = { eventId: event.event_id };
      } catch (error) {
        results[index] = { error };
      }
    }
    // Last, and with the COMMIT: the write takes the stream position counter, which every
    // other writer waits for until this transaction ends.
    if (inserts.length > 0) await this.pipeline.newLocal(inserts, em, { andCommit: true, now });
    return results;
  }

  isRemoteInvite(event: Pick<RoomEvent, 'type' | 'content' | 'state_key'>): boolean {
    return (
      event.type === 'm.room.member' &&
      event.content.membership === 'invite' &&
      event.state_key !== undefined &&
      !event.state_key.endsWith(`:${this.signer.serverName}`)
    );
  }

  /**
   * The room's next event for `draft`, built, signed and authorised as `write` would, but not
   * stored: for an invite that another server must countersign before it is.
   */
  async prepareOnly(
    roomId: string,
    draft: EventDraft,
    em: EntityManager,
    now = Date.now(),
  ): Promise<{ event: RoomEvent; version: RoomVersion }> {
    checkLimits(draft);
    const batch = await this.context.lockAndRead([{ roomId, tuples: authTuplesOfAnyVersion(draft) }], [], em);
    const context = batch.rooms.get(roomId);
    if (!context) throw roomErrors.notInRoom();
    const head = headOf(context);
    const { event } = await this.prepare(roomId, head, draft, now, em);
    return { event, version: head.version };
  }

  /** Builds, signs and authorises the room's next event and works out whom it notifies; then advances the head. */
  private async prepare(
    roomId: string,
    head: RoomHead,
    draft: EventDraft,
    now: number,
    em: EntityManager,
  ): Promise<{ event: RoomEvent; notifications: EventNotifications }> {
    const { version } = head;
    const authState = selectAuthState(head.context.authState, draft, version);
    const event = this.builder.build(roomId, draft, {
      prevEvents: head.prevEvents,
      depth: head.depth,
      authState,
      now,
      version,
    });
    try {
      authorizeEvent(event, authState, version);
    } catch (error) {
      if (error instanceof AuthError) throw MatrixError.forbidden(error.message);
      throw error;
    }
    const notifications = await this.push.evaluate(event, version, authState, head.context.joined, em);
    head.prevEvents = [event.event_id];
    head.depth = event.depth + 1;
    return { event, notifications };
  }

  /**
   * The room's very first event, m.room.create, and the room itself. Up to v11 the caller names
   * the room; from v12 the room ID is the create event's reference hash, with a `!` sigil.
   */
  async writeCreate(
    roomId: string | undefined,
    draft: EventDraft,
    version: RoomVersion,
    em: EntityManager,
    now = Date.now(),
  ): Promise<WrittenEvent> {
    if ((roomId === undefined) !== version.roomIdFromCreateEvent)
      throw new Error('Room IDs are derived from the create event exactly from room version 12');
    const built = this.builder.build(roomId, draft, { prevEvents: [], depth: 1, authState: new Map(), now, version });
    const event: RoomEvent = roomId === undefined ? { ...built, room_id: `!${built.event_id.slice(1)}` } : built;
    authorizeEvent(event, new Map(), version);
    await this.rooms.insert({ roomId: event.room_id, roomVersion: version.id, creator: draft.sender }, now, em);
    // Nobody is in the room before its create event: no other server to tell.
    const [streamOrdering] = await this.pipeline.newLocal([{ event, version, stateBefore: null, joined: [] }], em, {
      now,
    });
    return { event, streamOrdering: streamOrdering as number };
  }
}

/** Our events reference every extremity and leave one; after a fork they build on the extremities' resolved state. */
function headOf(context: WriteContext): RoomHead {
  const version = getRoomVersion(context.roomVersion);
  if (!version) throw roomErrors.unsupportedVersion(context.roomVersion);
  return {
    version,
    context,
    prevEvents: context.extremities.map((e) => e.eventId),
    depth: Math.max(0, ...context.extremities.map((e) => e.depth)) + 1,
    stateGroup:
      context.extremities.length > 1 && context.resolvedStateGroup !== null
        ? context.resolvedStateGroup
        : (context.extremities[0]?.stateGroupAfter ?? null),
  };
}

function checkLimits(draft: EventDraft): void {
  if (Buffer.byteLength(draft.type, 'utf8') > MAX_TYPE_BYTES)
    throw MatrixError.badJson('Event type is longer than 255 bytes');
  if (draft.state_key !== undefined && Buffer.byteLength(draft.state_key, 'utf8') > MAX_STATE_KEY_BYTES) {
    throw MatrixError.badJson('State key is longer than 255 bytes');
  }
}
