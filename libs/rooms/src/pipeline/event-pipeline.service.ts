import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { stateKeyTuple, type RoomEvent, type RoomVersion, type StateKeyTuple } from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { TransactionRunner } from '@hearth/storage';
import { RecentNotifications } from '../push/recent-notifications';
import { EventRepository } from '../storage/event.repository';
import type { StateIds } from '../storage/state.repository';
import { EventStream } from '../streams/event-stream';
import { EventStoreRepository } from './event-store.repository';
import { OUTBOX_PORT, type OutboxPort } from './outbox-port';
import { outboxItems, type OutboundEvent } from './pdu-destinations';
import { PlanBuilder, type EventExtras } from './plan-builder';
import { StateGroupWriter } from './state-group.writer';
import { StateResolver, type StateAt } from './state-resolver';
import type { WritePlan } from './write-plan';

/** One of our users' events on the room's head (built by EventBuilder, authorised by the writer). */
export interface NewLocalEvent extends EventExtras {
  readonly event: RoomEvent;
  readonly version: RoomVersion;
  /** The state group before it: the head's (null only for m.room.create). */
  readonly stateBefore: number | null;
  /** The room's joined members before it, as the writer read them: the event goes to their servers. Read once. */
  readonly joined: Iterable<string>;
}

/** A PDU from a peer that passed the receipt checks, with the state before it. */
export interface NewRemoteEvent {
  readonly event: RoomEvent;
  readonly version: RoomVersion;
  readonly stateBefore: StateAt;
  readonly notifications?: EventExtras['notifications'];
  /** The room's forward extremities as the receiver read them under the room's lock. */
  readonly extremities: ReadonlyArray<{ eventId: string; stateGroupAfter: number | null }>;
  readonly resolvedStateGroup: number | null;
  /**
   * Pass the event on to the room's other servers: a membership we accepted through send_join,
   * send_leave or send_knock (spec: the resident server sends it on), or our own invite that the
   * invitee's server countersigned. Absent for an ordinary PDU, which its origin sends itself.
   */
  readonly passOn?: Omit<OutboundEvent, 'event' | 'version'>;
}

/**
 * The only way events enter the store, for every kind (after Dendrite's roomserver input kinds
 * Outlier, New and Old): `new-local`, `new-remote`, `outlier`, `backfilled` and `joined-state`.
 * Each works out the state before and after its events first (state groups, the room's
 * extremities, its current state, resolving forks), then writes events, edges, current state,
 * extremities and the resolved state in one statement (EventStoreRepository), records new-local
 * events (and the remote ones it is asked to pass on) for other servers through OUTBOX_PORT in
 * the same transaction, and announces timeline events on the EventStream after commit.
 * Authorising the events is the caller's part.
 */
@Injectable()
export class EventPipeline {
  constructor(
    private readonly store: EventStoreRepository,
    private readonly groups: StateGroupWriter,
    private readonly resolver: StateResolver,
    private readonly events: EventRepository,
    private readonly stream: EventStream,
    private readonly signer: ServerSigner,
    private readonly recent: RecentNotifications,
    private readonly tx: TransactionRunner,
    @Inject(OUTBOX_PORT) private readonly outbox: OutboxPort,
  ) {}

  /**
   * new-local: events at the next stream positions, in the order given, each room's last one
   * its sole forward extremity (our events reference every extremity). At most one state event
   * per state key per call. Returns the events' stream positions. With `andCommit` the write
   * ends the caller's transaction (see EventStoreRepository.write).
   */
  async newLocal(
    inputs: readonly NewLocalEvent[],
    em: EntityManager,
    { andCommit = false, now = Date.now() } = {},
  ): Promise<number[]> {
    const plan = new PlanBuilder(now);
    for (const { event, version, stateBefore, txn, notifications } of inputs) {
      const after = await this.stateAfter(event, stateBefore, em);
      plan.addEvent(
        event,
        version,
        'timeline',
        { before: stateBefore, after },
        { prev: true, auth: true },
        { txn, notifications },
      );
      plan.addToCurrentState(event);
      plan.setExtremities(event.room_id, [event.event_id]);
    }
    const events = inputs.map((input) => input.event);
    await this.recordForOtherServers(inputs, em);
    if (!andCommit) return this.writeTimeline(plan, events, em, false);
    // The write commits: the announcement must be registered before it.
    this.stream.announce(em, events);
    const base = await this.storeTimeline(plan.finish(), em, true);
    return events.map((_, i) => base + i + 1);
  }

  /**
   * new-remote: a peer's event joins the timeline. When it builds on every extremity it is the
   * room's one leaf and its state key updates current state; otherwise the other leaves stay and
   * the room's current state becomes the resolution of all leaves' states, kept as a group on the
   * room for our next event (which closes the fork).
   */
  async newRemote(input: NewRemoteEvent, em: EntityManager): Promise<void> {
    const { event, version } = input;
    const before = await this.groupOf(event.room_id, input.stateBefore, em);
    const after = await this.stateAfter(event, before, em);
    const plan = new PlanBuilder();
    plan.addEvent(
      event,
      version,
      'timeline',
      { before, after },
      { prev: true, auth: true },
      { notifications: input.notifications },
    );
    const remaining = input.extremities.filter((e) => !event.prev_events.includes(e.eventId));
    plan.setExtremities(event.room_id, [...remaining.map((e) => e.eventId), event.event_id]);
    if (remaining.length === 0) {
      plan.addToCurrentState(event);
      if (input.resolvedStateGroup !== null) plan.setResolvedStateGroup(event.room_id, null);
    } else {
      const groups = [after, ...remaining.map((e) => e.stateGroupAfter).filter((g): g is number => g !== null)];
      const resolved = await this.resolver.resolve([...new Set(groups)], version, em, [event]);
      plan.replaceCurrentState(event.room_id, await this.stateEvents(resolved, [event], em));
      plan.setResolvedStateGroup(event.room_id, await this.groups.create(event.room_id, null, resolved, em));
    }
    if (input.passOn) await this.recordForOtherServers([{ event, version, ...input.passOn }], em);
    await this.writeTimeline(plan, [event], em, false);
  }

  /**
   * outlier: events we hold without a place in the timeline (auth chains, state, soft-failed
   * events). Events we hold already are kept. With `stateBefore` (one event: a soft-failed one,
   * or one across a gap) it gets state groups, also when we held it without.
   */
  async outliers(
    events: readonly RoomEvent[],
    version: RoomVersion,
    em: EntityManager,
    stateBefore?: StateAt,
  ): Promise<void> {
    if (events.length === 0) return;
    const plan = new PlanBuilder();
    for (const event of events) {
      if (!stateBefore) {
        plan.addEvent(event, version, 'outlier', { before: null, after: null }, { prev: false, auth: true });
        continue;
      }
      const before = await this.groupOf(event.room_id, stateBefore, em);
      const after = await this.stateAfter(event, before, em);
      plan.addEvent(event, version, 'outlier', { before, after }, { prev: false, auth: true });
      plan.fillState(event.event_id, { before, after });
    }
    await this.store.write(plan.finish(), em);
  }

  /**
   * backfilled: history from before our first event in a room (newest first), at positions before
   * any taken so far, with `stateGroup` (the state before our join) standing in for each event's
   * own state. Events we hold already are skipped.
   */
  async backfilled(
    events: readonly RoomEvent[],
    version: RoomVersion,
    stateGroup: number | null,
    em: EntityManager,
  ): Promise<void> {
    if (events.length === 0) return;
    const plan = new PlanBuilder();
    for (const event of events)
      plan.addEvent(event, version, 'backfill', { before: stateGroup, after: stateGroup }, { prev: true, auth: false });
    await this.store.write(plan.finish(), em);
  }

  /**
   * joined-state: we joined through another server. Its state before our join and that state's
   * auth chain become outliers, our join the first event of the room's timeline here, and the
   * state with our join the room's current state.
   */
  async joinedState(
    version: RoomVersion,
    join: RoomEvent,
    state: readonly RoomEvent[],
    authChain: readonly RoomEvent[],
    em: EntityManager,
  ): Promise<void> {
    const plan = new PlanBuilder();
    for (const event of [...authChain, ...state])
      plan.addEvent(event, version, 'outlier', { before: null, after: null }, { prev: false, auth: true });
    const current = new Map(
      state
        .filter((e) => e.state_key !== undefined)
        .map((e) => [stateKeyTuple(e.type, e.state_key as string), e] as const),
    );
    const before = await this.groups.create(
      join.room_id,
      null,
      new Map([...current].map(([tuple, e]) => [tuple, e.event_id])),
      em,
    );
    const after = await this.stateAfter(join, before, em);
    plan.addEvent(join, version, 'timeline', { before, after }, { prev: true, auth: true });
    if (join.state_key !== undefined) current.set(stateKeyTuple(join.type, join.state_key), join);
    plan.replaceCurrentState(join.room_id, current);
    plan.setExtremities(join.room_id, [join.event_id]);
    plan.setResolvedStateGroup(join.room_id, null);
    await this.writeTimeline(plan, [join], em, false);
  }

  /**
   * Our user's membership in a room this server is not in (an invite, its rejection, a knock):
   * new-remote without state, as the room's newest event here.
   */
  async membershipOutsideRoom(event: RoomEvent, version: RoomVersion, em: EntityManager): Promise<void> {
    const plan = new PlanBuilder();
    plan.addEvent(event, version, 'timeline', { before: null, after: null }, { prev: true, auth: true });
    plan.addToCurrentState(event);
    plan.setExtremities(event.room_id, [event.event_id]);
    await this.writeTimeline(plan, [event], em, false);
  }

  private async writeTimeline(
    plan: PlanBuilder,
    events: readonly RoomEvent[],
    em: EntityManager,
    andCommit: boolean,
  ): Promise<number[]> {
    const base = await this.storeTimeline(plan.finish(), em, andCommit);
    this.stream.announce(em, events);
    return events.map((_, i) => base + i + 1);
  }

  /** Stores a plan that takes timeline positions; once it commits, its notifications are RecentNotifications. */
  private async storeTimeline(plan: WritePlan, em: EntityManager, andCommit: boolean): Promise<number> {
    const base = Number(await this.store.write(plan, em, { andCommit }));
    const notifications = plan.notifications
      .map((row) => ({
        userId: row.user_id,
        roomId: row.room_id,
        eventId: row.event_id,
        streamOrdering: base + row.stream_offset,
        highlight: row.highlight,
      }))
      .sort((a, b) => a.streamOrdering - b.streamOrdering || (a.userId < b.userId ? -1 : 1));
    this.tx.whenCommitted(em, () => this.recent.record(base, base + plan.timelineCount, notifications));
    return base;
  }

  /**
   * Outbox rows, in the caller's transaction and before the events' own write, which may end it
   * (`andCommit`); delivery wakes the destinations once it commits.
   */
  private async recordForOtherServers(events: readonly OutboundEvent[], em: EntityManager): Promise<void> {
    const items = outboxItems(events, this.signer.serverName);
    if (items.length > 0) await this.outbox.recordPdus(items, em);
  }

  private async groupOf(roomId: string, at: StateAt, em: EntityManager): Promise<number> {
    return 'group' in at ? at.group : this.groups.create(roomId, null, at.resolved, em);
  }

  /** A state event's group is its predecessor's plus itself; anything else keeps its predecessor's. */
  private async stateAfter<G extends number | null>(
    event: RoomEvent,
    before: G,
    em: EntityManager,
  ): Promise<G | number> {
    if (event.state_key === undefined) return before;
    return this.groups.create(
      event.room_id,
      before,
      new Map([[stateKeyTuple(event.type, event.state_key), event.event_id]]),
      em,
    );
  }

  /** The events of a state, from the store or the given ones not stored yet. */
  private async stateEvents(
    state: StateIds,
    unstored: readonly RoomEvent[],
    em: EntityManager,
  ): Promise<Map<StateKeyTuple, RoomEvent>> {
    const own = new Map(unstored.map((event) => [event.event_id, event]));
    const loaded = await this.events.findMany(
      [...state.values()].filter((id) => !own.has(id)),
      em,
    );
    const result = new Map<StateKeyTuple, RoomEvent>();
    for (const [tuple, id] of state) {
      const event = own.get(id) ?? loaded.get(id)?.event;
      if (event) result.set(tuple, event);
    }
    return result;
  }
}
