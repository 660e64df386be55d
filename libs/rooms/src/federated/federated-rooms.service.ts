import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import {
  authorizeEvent,
  AuthError,
  getRoomVersion,
  parseUserId,
  stateKeyTuple,
  type JsonObject,
  type RoomEvent,
  type RoomVersion,
  type StateKeyTuple,
} from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { authTuplesOfAnyVersion, selectAuthState } from '../events/event-writes';
import { EventBuilder } from '../pipeline/event-builder';
import { EventPipeline } from '../pipeline/event-pipeline.service';
import { RoomWriteQueue } from '../events/room-write-queue';
import { EventRepository } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { FederatedEventRepository } from './federated-event.repository';
import { PeerVisibility } from './peer-visibility';
import { RestrictedJoins } from '../membership/restricted-joins';
import { STRIPPED_STATE_TYPES, strip } from '../state/stripped-state';
import { MissingEventsError, RejectedEventError } from './rejected-event';
import { RemoteEventReceiver, type PassOn, type ReceiveOutcome } from './remote-event-receiver';

export type RemoteMembership = 'join' | 'leave' | 'knock';

/** State and its auth chain, as send_join and /state answer with them. */
export interface StateWithAuthChain {
  readonly state: RoomEvent[];
  readonly authChain: RoomEvent[];
}

/**
 * The rooms side of federation: membership templates and remote memberships, events from other
 * servers, rooms joined through another server, and what peers may read of our rooms.
 */
@Injectable()
export class FederatedRoomsService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly tx: TransactionRunner,
    private readonly rooms: RoomRepository,
    private readonly events: EventRepository,
    private readonly federated: FederatedEventRepository,
    private readonly state: StateRepository,
    private readonly receiver: RemoteEventReceiver,
    private readonly visibility: PeerVisibility,
    private readonly restricted: RestrictedJoins,
    private readonly roomWrites: RoomWriteQueue,
    private readonly builder: EventBuilder,
    private readonly pipeline: EventPipeline,
  ) {}

  async roomVersion(roomId: string): Promise<RoomVersion | undefined> {
    const room = await this.tx.read((em) => this.rooms.find(roomId, em));
    return room ? getRoomVersion(room.roomVersion) : undefined;
  }

  /** Whether a user of `serverName` is joined to the room now. */
  isServerJoined(roomId: string, serverName: string): Promise<boolean> {
    return this.tx.read((em) => this.visibility.isInRoom(serverName, roomId, em));
  }

  /** The room's forward extremities, as get_missing_events' `earliest_events`. */
  async extremityIds(roomId: string): Promise<string[]> {
    return (await this.tx.read((em) => this.events.forwardExtremities(roomId, em))).map((e) => e.eventId);
  }

  /** Whether the room's server ACL (if any) lets `serverName` take part. */
  isServerAllowed(roomId: string, serverName: string): Promise<boolean> {
    return this.tx.read((em) => this.visibility.aclAllows(serverName, roomId, em));
  }

  serversSharingRoomsWith(userId: string): Promise<string[]> {
    return this.tx.read((em) => this.state.serversSharingRoomsWith(userId, em));
  }

  serversInRoom(roomId: string): Promise<string[]> {
    return this.tx.read((em) => this.state.joinedServers(roomId, em));
  }

  /** Spec SS API make_join / make_leave / make_knock: the membership event the user would send next, for them to sign. */
  async membershipTemplate(
    roomId: string,
    userId: string,
    membership: RemoteMembership,
    now = Date.now(),
  ): Promise<{ roomVersion: string; event: JsonObject }> {
    return this.tx.read(async (em) => {
      const room = await this.rooms.find(roomId, em);
      if (!room || !(await this.visibility.isInRoom(this.config.serverName, roomId, em)))
        throw MatrixError.notFound('Unknown room');
      if (!(await this.visibility.aclAllows(parseUserId(userId).serverName, roomId, em)))
        throw MatrixError.forbidden('Your server is banned from this room by its server ACL');
      const version = getRoomVersion(room.roomVersion);
      if (!version) throw MatrixError.notFound('Unknown room');
      // A restricted join names the member of ours who vouches for it.
      const authorised = membership === 'join' ? await this.restricted.authorisation(roomId, userId, em) : undefined;
      const draft = {
        type: 'm.room.member',
        state_key: userId,
        sender: userId,
        content: { ...authorised, membership },
      };
      const authState = selectAuthState(
        await this.state.currentState(roomId, em, authTuplesOfAnyVersion(draft)),
        draft,
        version,
      );
      const extremities = await this.events.forwardExtremities(roomId, em);
      const prevEvents = extremities.map((e) => e.eventId);
      const event = this.builder.template(roomId, draft, {
        prevEvents,
        depth: Math.max(0, ...extremities.map((e) => e.depth)) + 1,
        authState,
        now,
        version,
      });
      try {
        authorizeEvent(
          { ...(event as unknown as Omit<RoomEvent, 'event_id'>), event_id: '$template' },
          authState,
          version,
        );
      } catch (error) {
        if (error instanceof AuthError)
          throw MatrixError.forbidden(`You cannot ${membership} this room: ${error.message}`);
        throw error;
      }
      return { roomVersion: version.id, event };
    });
  }

  /** Spec SS API send_join / send_leave / send_knock: the signed event joins our DAG; a join gets the state before it. */
  async acceptMembership(event: RoomEvent): Promise<StateWithAuthChain> {
    return this.roomWrites.transaction(event.room_id, async (em) => {
      if (!(await this.visibility.aclAllows(parseUserId(event.sender).serverName, event.room_id, em)))
        throw MatrixError.forbidden('Your server is banned from this room by its server ACL');
      // Spec: the resident server passes the accepted membership on to the room's other servers.
      const outcome = await this.receiveOrRefuse(event, em, { except: parseUserId(event.sender).serverName });
      if (outcome === 'soft-failed')
        throw MatrixError.forbidden('The membership event is not allowed by the current state of the room');
      const stored = await this.events.find(event.event_id, em);
      return this.stateWithAuthChain(stored?.stateGroupBefore ?? null, event.auth_events, em);
    });
  }

  /** Spec SS API /send: one PDU, already checked for format, signatures and hash. */
  receive(event: RoomEvent): Promise<ReceiveOutcome> {
    return this.roomWrites.transaction(event.room_id, (em) => this.receiver.receive(event, em));
  }

  /**
   * Several PDUs of one room, in order, in one transaction (one commit instead of one each).
   * Stops at the first that needs events fetched from elsewhere: those from there on are
   * returned for the caller to take one at a time. Rejections are reported per event.
   */
  async receiveInOrder(
    events: readonly RoomEvent[],
  ): Promise<{ outcomes: Map<string, ReceiveOutcome | RejectedEventError>; rest: RoomEvent[] }> {
    const [first] = events;
    if (!first) return { outcomes: new Map(), rest: [] };
    return this.roomWrites.transaction(first.room_id, async (em) => {
      const outcomes = new Map<string, ReceiveOutcome | RejectedEventError>();
      for (const [index, event] of events.entries()) {
        try {
          outcomes.set(event.event_id, await this.receiver.receive(event, em));
        } catch (error) {
          if (error instanceof MissingEventsError) return { outcomes, rest: events.slice(index) };
          if (!(error instanceof RejectedEventError)) throw error;
          outcomes.set(event.event_id, error);
        }
      }
      return { outcomes, rest: [] };
    });
  }

  /** Events needed to judge others (auth events, state), kept without a place in the timeline. */
  async storeOutliers(events: readonly RoomEvent[], version: RoomVersion): Promise<void> {
    await this.tx.run((em) => this.pipeline.outliers(events, version, em));
  }

  /**
   * An event beyond a gap we could not fill event by event: stored (as an outlier, or given
   * state if held without) with the state before it as another server told us (`/state_ids`),
   * so that the events after it can be judged. The state events must be stored already.
   */
  async storeAcrossGap(version: RoomVersion, event: RoomEvent, stateIds: readonly string[]): Promise<void> {
    await this.tx.run(async (em) => {
      const loaded = await this.events.findMany(stateIds, em);
      const state = new Map<StateKeyTuple, string>();
      for (const { event: stateEvent } of loaded.values()) {
        if (stateEvent.state_key !== undefined && stateEvent.room_id === event.room_id)
          state.set(stateKeyTuple(stateEvent.type, stateEvent.state_key), stateEvent.event_id);
      }
      if (!state.has(stateKeyTuple('m.room.create', '')))
        throw new RejectedEventError(event.event_id, 'the state across the gap has no m.room.create');
      await this.pipeline.outliers([event], version, em, { resolved: state });
    });
  }

  /** Which of these events we hold. */
  known(eventIds: readonly string[]): Promise<Set<string>> {
    return this.tx.read((em) => this.federated.known(eventIds, em));
  }

  /**
   * We joined through another server: its state before our join and that state's auth chain
   * become outliers, and our join the first event of the room's timeline here.
   */
  async importJoin(
    version: RoomVersion,
    join: RoomEvent,
    state: readonly RoomEvent[],
    authChain: readonly RoomEvent[],
  ): Promise<void> {
    await this.tx.run(async (em) => {
      const create = state.find((e) => e.type === 'm.room.create' && e.state_key === '');
      if (!create) throw new RejectedEventError(join.event_id, 'the room state has no m.room.create');
      if (!(await this.rooms.lockForWrite(join.room_id, em))) {
        await this.rooms.insert(
          { roomId: join.room_id, roomVersion: version.id, creator: create.sender },
          Date.now(),
          em,
        );
      }
      await this.pipeline.joinedState(version, join, state, authChain, em);
    });
  }

  /**
   * An invite for one of our users to a room we are not in: the room is noted with the invite as
   * its only event here (with the stripped state the inviting server sent), so that sync shows it
   * and a join knows the room's version.
   */
  async storeRemoteInvite(
    version: RoomVersion,
    invite: RoomEvent,
    inviteRoomState: readonly JsonObject[],
  ): Promise<void> {
    await this.storeOutOfRoomMembership(version, {
      ...invite,
      unsigned: { ...(invite.unsigned ?? {}), invite_room_state: [...inviteRoomState] },
    });
  }

  /** Spec "Stripped state": what a knocking server's user sees of the room. */
  async strippedState(roomId: string): Promise<JsonObject[]> {
    return this.tx.read(async (em) => {
      const tuples = [...STRIPPED_STATE_TYPES].map((type) => stateKeyTuple(type, ''));
      return [...(await this.state.currentState(roomId, em, tuples)).values()].map(strip);
    });
  }

  /** Our user's membership in a room this server is not in (an invite, its rejection, a knock), as the room's newest event here. */
  async storeOutOfRoomMembership(version: RoomVersion, event: RoomEvent): Promise<void> {
    await this.tx.run(async (em) => {
      if ((await this.federated.known([event.event_id], em)).size > 0) return;
      if (!(await this.rooms.lockForWrite(event.room_id, em))) {
        await this.rooms.insert(
          { roomId: event.room_id, roomVersion: version.id, creator: event.sender },
          Date.now(),
          em,
        );
      }
      await this.pipeline.membershipOutsideRoom(event, version, em);
    });
  }

  /** The event that gave a user their current membership in a room, if any. */
  async membershipEvent(roomId: string, userId: string): Promise<RoomEvent | undefined> {
    return this.tx.read(async (em) => {
      const eventId = await this.state.currentStateEventId(roomId, 'm.room.member', userId, em);
      return eventId === undefined ? undefined : (await this.events.find(eventId, em))?.event;
    });
  }

  /**
   * History another server sent through /backfill, newest first: stored before everything we
   * hold of the room (events we already have are skipped). Their own state is not fetched; the
   * state before the given event (our join) stands in for it when visibility is checked, which is
   * sound because the other server only sends what our server may see.
   */
  async storeBackfill(version: RoomVersion, before: string, events: readonly RoomEvent[]): Promise<void> {
    await this.tx.run(async (em) => {
      const anchor = await this.events.find(before, em);
      if (!anchor) return;
      const known = await this.federated.known(
        events.map((e) => e.event_id),
        em,
      );
      const fresh = events.filter((e) => !known.has(e.event_id) && e.room_id === anchor.event.room_id);
      await this.pipeline.backfilled(fresh, version, anchor.stateGroupBefore, em);
    });
  }

  /** Spec SS API GET /event: an event the asking server may see. */
  async eventFor(serverName: string, eventId: string): Promise<RoomEvent | undefined> {
    return this.tx.read(async (em) => {
      const stored = await this.events.find(eventId, em);
      if (!stored || !(await this.visibility.isInRoom(serverName, stored.event.room_id, em))) return undefined;
      return (await this.visibility.filter(serverName, [stored], em))[0]?.event;
    });
  }

  /** Spec SS API /state and /state_ids: the state before an event of the room, with its auth chain. */
  async stateFor(serverName: string, roomId: string, eventId: string): Promise<StateWithAuthChain | undefined> {
    return this.tx.read(async (em) => {
      const stored = await this.events.find(eventId, em);
      if (!stored || stored.event.room_id !== roomId || !(await this.visibility.isInRoom(serverName, roomId, em)))
        return undefined;
      if ((await this.visibility.filter(serverName, [stored], em)).length === 0) return undefined;
      return this.stateWithAuthChain(stored.stateGroupBefore, [], em);
    });
  }

  /** Spec SS API /event_auth: the full auth chain of an event. */
  async authChainFor(serverName: string, roomId: string, eventId: string): Promise<RoomEvent[] | undefined> {
    return this.tx.read(async (em) => {
      const stored = await this.events.find(eventId, em);
      if (!stored || stored.event.room_id !== roomId || !(await this.visibility.isInRoom(serverName, roomId, em)))
        return undefined;
      const chain = await this.federated.authChainIds([eventId], em);
      return [...(await this.events.findMany(chain, em)).values()].map((e) => e.event);
    });
  }

  /** Spec SS API /get_missing_events and /backfill: events before `from` (and not before `stopAt`), newest first. */
  async eventsBefore(
    serverName: string,
    roomId: string,
    from: readonly string[],
    stopAt: readonly string[],
    limit: number,
    includeFrom: boolean,
  ): Promise<RoomEvent[] | undefined> {
    return this.tx.read(async (em) => {
      if (!(await this.visibility.isInRoom(serverName, roomId, em))) return undefined;
      const ids = await this.federated.walkBack(roomId, from, stopAt, limit + (includeFrom ? 0 : from.length), em);
      const wanted = ids.filter((id) => includeFrom || !from.includes(id)).slice(0, limit);
      const found = await this.events.findMany(wanted, em);
      const ordered = wanted.flatMap((id) => {
        const stored = found.get(id);
        return stored ? [stored] : [];
      });
      return (await this.visibility.filter(serverName, ordered, em)).map((stored) => stored.event);
    });
  }

  private async receiveOrRefuse(event: RoomEvent, em: EntityManager, passOn: PassOn): Promise<ReceiveOutcome> {
    try {
      return await this.receiver.receive(event, em, passOn);
    } catch (error) {
      if (error instanceof RejectedEventError) throw MatrixError.forbidden(error.message);
      if (error instanceof MissingEventsError) throw MatrixError.badJson(error.message);
      throw error;
    }
  }

  private async stateWithAuthChain(
    group: number | null,
    extraAuth: readonly string[],
    em: EntityManager,
  ): Promise<StateWithAuthChain> {
    const ids = group === null ? new Map<string, string>() : await this.state.loadGroup(group, em);
    const stateIds = [...ids.values()];
    const chainIds = await this.federated.authChainIds([...stateIds, ...extraAuth], em);
    const loaded = await this.events.findMany([...new Set([...stateIds, ...chainIds, ...extraAuth])], em);
    const pick = (list: readonly string[]) =>
      list.flatMap((id) => {
        const stored = loaded.get(id);
        return stored ? [stored.event] : [];
      });
    return { state: pick(stateIds), authChain: pick([...new Set([...chainIds, ...extraAuth])]) };
  }
}
