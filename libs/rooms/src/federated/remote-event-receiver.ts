import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  authorizeEvent,
  AuthError,
  getRoomVersion,
  stateKeyTuple,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import { PushEvaluator } from '../push/push-evaluator';
import { EventRepository } from '../storage/event.repository';
import { WriteContextRepository, type WriteContext } from '../storage/write-context.repository';
import { authTuplesOfAnyVersion, selectAuthState } from '../events/event-writes';
import { EventPipeline } from '../pipeline/event-pipeline.service';
import { StateResolver, type StateAt } from '../pipeline/state-resolver';
import { FederatedEventRepository } from './federated-event.repository';
import { MissingEventsError, RejectedEventError } from './rejected-event';

export type ReceiveOutcome = 'accepted' | 'soft-failed' | 'duplicate';

/** An accepted event the pipeline passes on to the room's other servers, all but `except`, which has it. */
export interface PassOn {
  readonly except?: string;
}

/**
 * Spec SS API "Checks performed on receipt of a PDU", from step 4 on (the caller has checked
 * format, signatures and hashes): auth against the event's auth events, against the state before
 * it, then against current state (failing only that soft-fails it). Accepted events go to the
 * EventPipeline as `new-remote` (which resolves the room's state when the DAG forks), soft-failed
 * ones as outliers with their state. With `passOn`, an accepted event is also recorded for the
 * room's other servers (the pipeline does it in the same transaction).
 */
@Injectable()
export class RemoteEventReceiver {
  constructor(
    private readonly events: EventRepository,
    private readonly federated: FederatedEventRepository,
    private readonly context: WriteContextRepository,
    private readonly push: PushEvaluator,
    private readonly resolver: StateResolver,
    private readonly pipeline: EventPipeline,
  ) {}

  async receive(event: RoomEvent, em: EntityManager, passOn?: PassOn): Promise<ReceiveOutcome> {
    const batch = await this.context.lockAndRead(
      [{ roomId: event.room_id, tuples: authTuplesOfAnyVersion(draftOf(event)) }],
      [],
      em,
    );
    const context = batch.rooms.get(event.room_id);
    if (!context) throw new RejectedEventError(event.event_id, 'unknown room');
    const version = getRoomVersion(context.roomVersion);
    if (!version) throw new RejectedEventError(event.event_id, `unsupported room version ${context.roomVersion}`);
    if ((await this.federated.known([event.event_id], em)).size > 0) return 'duplicate';

    await this.checkAgainstAuthEvents(event, version, context, em);
    const only = context.extremities.length === 1 ? context.extremities[0] : undefined;
    if (
      only &&
      only.stateGroupAfter !== null &&
      event.prev_events.length === 1 &&
      event.prev_events[0] === only.eventId
    ) {
      // The common case: the event builds on our one extremity, so the state before it is the
      // current state and one check covers both; failing it is a rejection, not a soft failure.
      this.checkAgainst(event, version, context.authState, 'the state before it');
      await this.persist(event, version, context, { group: only.stateGroupAfter }, em, passOn);
      return 'accepted';
    }
    const before = await this.stateBefore(event, version, em);
    this.checkAgainst(event, version, await this.stateEvents(before, event, em), 'the state before it');
    try {
      authorizeEvent(event, selectAuthState(context.authState, draftOf(event), version), version);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // Spec "Soft failure": kept with its state, so that later events may build on it, but never shown nor built on by us.
      await this.pipeline.outliers([event], version, em, before);
      return 'soft-failed';
    }
    await this.persist(event, version, context, before, em, passOn);
    return 'accepted';
  }

  private async checkAgainstAuthEvents(
    event: RoomEvent,
    version: RoomVersion,
    context: WriteContext,
    em: EntityManager,
  ): Promise<void> {
    // Usually the auth events are current state, which the write context already holds.
    const current = new Map([...context.authState.values()].map((e) => [e.event_id, { event: e }]));
    const found = event.auth_events.every((id) => current.has(id))
      ? current
      : await this.events.findMany(event.auth_events, em);
    const missing = event.auth_events.filter((id) => !found.has(id));
    if (missing.length > 0) throw new MissingEventsError(event.event_id, missing, 'auth');
    const state = new Map<StateKeyTuple, RoomEvent>();
    for (const authEvent of event.auth_events.map((id) => (found.get(id) as { event: RoomEvent }).event)) {
      if (authEvent.state_key === undefined || authEvent.room_id !== event.room_id)
        throw new RejectedEventError(event.event_id, 'an auth event is not state of this room');
      const tuple = stateKeyTuple(authEvent.type, authEvent.state_key);
      if (state.has(tuple)) throw new RejectedEventError(event.event_id, 'two auth events for one state key');
      state.set(tuple, authEvent);
    }
    // From v12 the create event is not listed but the rules consult it; the write context holds it.
    const create = context.authState.get(stateKeyTuple('m.room.create', ''));
    if (version.roomIdFromCreateEvent && create) state.set(stateKeyTuple('m.room.create', ''), create);
    const wanted = new Set(selectAuthState(state, draftOf(event), version).keys());
    if ([...state.keys()].some((tuple) => !wanted.has(tuple)))
      throw new RejectedEventError(event.event_id, 'auth events the auth rules do not call for');
    this.checkAgainst(event, version, state, 'its auth events');
  }

  private checkAgainst(
    event: RoomEvent,
    version: RoomVersion,
    state: ReadonlyMap<StateKeyTuple, RoomEvent>,
    what: string,
  ): void {
    try {
      authorizeEvent(event, selectAuthState(state, draftOf(event), version), version);
    } catch (error) {
      if (error instanceof AuthError)
        throw new RejectedEventError(event.event_id, `fails the auth rules against ${what}: ${error.message}`);
      throw error;
    }
  }

  /** The state before an event: after its one prev event, or the resolution of its prev events' states. */
  private async stateBefore(event: RoomEvent, version: RoomVersion, em: EntityManager): Promise<StateAt> {
    const groups = await this.federated.stateGroupsAfter(event.prev_events, em);
    const missing = event.prev_events.filter((id) => groups.get(id) === undefined || groups.get(id) === null);
    if (missing.length > 0 || event.prev_events.length === 0)
      throw new MissingEventsError(event.event_id, missing, 'prev');
    const distinct = [...new Set(groups.values())] as number[];
    if (distinct.length === 1) return { group: distinct[0] as number };
    return { resolved: await this.resolver.resolve(distinct, version, em) };
  }

  private async stateEvents(at: StateAt, event: RoomEvent, em: EntityManager): Promise<Map<StateKeyTuple, RoomEvent>> {
    const ids = await this.resolver.idsAt(at, em, authTuplesOfAnyVersion(draftOf(event)));
    const loaded = await this.events.findMany([...ids.values()], em);
    const state = new Map<StateKeyTuple, RoomEvent>();
    for (const [tuple, id] of ids) {
      const found = loaded.get(id);
      if (found) state.set(tuple, found.event);
    }
    return state;
  }

  private async persist(
    event: RoomEvent,
    version: RoomVersion,
    context: WriteContext,
    stateBefore: StateAt,
    em: EntityManager,
    passOn: PassOn | undefined,
  ): Promise<void> {
    const notifications = await this.push.evaluate(event, version, context.authState, context.joined, em);
    await this.pipeline.newRemote(
      {
        event,
        version,
        stateBefore,
        notifications,
        extremities: context.extremities,
        resolvedStateGroup: context.resolvedStateGroup,
        ...(passOn ? { passOn: { joined: context.joined.keys(), except: passOn.except } } : {}),
      },
      em,
    );
  }
}

/** The auth-event selection reads only these fields of an event. */
function draftOf(event: RoomEvent) {
  return { type: event.type, state_key: event.state_key, sender: event.sender, content: event.content };
}
