import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type JsonObject, type PushRuleset } from '@hearth/protocol';
import { TypingService } from '../ephemeral/typing.service';
import { PushRulesService } from '../push/push-rules.service';
import { ReceiptsService } from '../receipts/receipts.service';
import { inviteRoomStateOf, STRIPPED_STATE_TYPES, strip } from '../state/stripped-state';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import {
  activityUpTo,
  SyncRepository,
  type ActivityAfter,
  type MembershipRow,
  type RoomActivity,
  type SyncHead,
  type SyncHeadAsk,
  type SyncHeadExtras,
} from '../storage/sync.repository';
import type { UnreadAsk, UnreadCounts } from '../push/notification-counts';
import { GatheredReads } from './gathered-reads';
import { InFlightReads } from './in-flight-reads';
import { MembershipCache } from './membership-cache';
import { RoomTimelines, type RoomTimeline, type RoomWindow, type TimelineRequest } from './room-timelines';
import { summaryOf } from './room-summary';
import { unreadNotifications, type UnreadNotifications } from './unread-notifications';

const NO_EXTRAS: SyncHeadExtras = new Map();

/** An activity read started before the sync's positions were known (RoomSyncReader.activityAhead). */
export interface ActivityAhead {
  readonly roomsKey: string;
  readonly since: number;
  readonly read: Promise<ActivityAfter>;
}

const roomsKey = (roomIds: readonly string[]) => [...roomIds].sort().join(' ');

/**
 * Everything /sync reads of rooms, and the one thing libs/sync uses of this lib: memberships,
 * timelines with the state before them, invites as stripped state, summaries, unread counts,
 * receipts and read markers, typing, and the push rules' version. Every event passes history
 * visibility. Reads take the caller's EntityManager, so that one sync reads on one connection.
 */
@Injectable()
export class RoomSyncReader {
  private readonly membershipCache = new MembershipCache();
  /** Syncs woken by one change in rooms they share ask the same: one statement serves them all. */
  private readonly sharedActivity = new InFlightReads<ActivityAfter>();
  /** Their first statements, gathered into one (per set of extras: each caller passes a constant). */
  private readonly gatheredHeads = new WeakMap<SyncHeadExtras, GatheredReads<SyncHeadAsk, SyncHead>>();
  /** Their unread counts, per user, gathered into one statement too. */
  private readonly gatheredUnread = new GatheredReads<UnreadAsk, Map<string, Map<string, UnreadCounts>>>((asks, em) =>
    this.receipts.unreadCountsOfMany(asks, em),
  );

  constructor(
    private readonly sync: SyncRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly receipts: ReceiptsService,
    private readonly roomTimelines: RoomTimelines,
    private readonly typing: TypingService,
    private readonly pushRules: PushRulesService,
  ) {}

  /**
   * The user's current membership in every room they have one in. With the fingerprint of
   * `syncHead`, rows kept from an earlier sync are answered without a read when they still are
   * what the fingerprint says.
   */
  async memberships(userId: string, em: EntityManager, fingerprint?: string): Promise<MembershipRow[]> {
    const kept = fingerprint === undefined ? undefined : this.membershipCache.get(userId, fingerprint);
    if (kept) return kept;
    const rows = await this.sync.memberships(userId, em);
    this.membershipCache.set(userId, rows);
    return rows;
  }

  /**
   * Where every stream stands now (the `stream_positions` counters), the user's push-rule
   * version, their memberships' fingerprint and the extras: what a sync reads first. Syncs asking
   * in the same turn (woken by one message) share one statement.
   */
  syncHead(ask: SyncHeadAsk, em: EntityManager, extras: SyncHeadExtras = NO_EXTRAS): Promise<SyncHead> {
    let heads = this.gatheredHeads.get(extras);
    if (!heads) {
      heads = new GatheredReads((asks, manager) => this.sync.syncHeads(asks, extras, manager));
      this.gatheredHeads.set(extras, heads);
    }
    return heads.read(ask, em);
  }

  /**
   * The activity read a woken sync will ask for, started beside its first statement instead of
   * after it: with the rooms of the user's last sync (kept memberships), which are nearly always
   * still theirs. `roomActivity` uses it when the rooms and the window's start agree and its
   * snapshot reaches the sync's positions; otherwise it reads again.
   */
  activityAhead(userId: string, since: number, em: EntityManager): ActivityAhead | undefined {
    const kept = this.membershipCache.latest(userId);
    if (!kept) return undefined;
    const roomIds = kept.map((m) => m.roomId);
    const read = this.sharedActivityAfter(roomIds, since, em);
    // Used only if the sync's rooms agree; a failure then is the sync's, and otherwise nobody's.
    read.catch(() => undefined);
    return { roomsKey: roomsKey(roomIds), since, read };
  }

  /** Of the rooms, those with events in (since, upTo] and their membership changes there, in one read. */
  async roomActivity(
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
    ahead?: ActivityAhead,
  ): Promise<RoomActivity> {
    if (ahead && ahead.since === since && ahead.roomsKey === roomsKey(roomIds)) {
      const early = await ahead.read;
      if (early.bound >= upTo) return activityUpTo(early, upTo);
    }
    const shared = await this.sharedActivityAfter(roomIds, since, em);
    if (shared.bound >= upTo) return activityUpTo(shared, upTo);
    // A read shared with a sync whose positions were older than this one's: not all of the window.
    return activityUpTo(await this.sync.activityAfter(roomIds, since, em), upTo);
  }

  private sharedActivityAfter(roomIds: readonly string[], since: number, em: EntityManager): Promise<ActivityAfter> {
    return this.sharedActivity.read(`${since}:${roomsKey(roomIds)}`, () => this.sync.activityAfter(roomIds, since, em));
  }

  /** For device-list tracking: everyone joined to a room the user is joined to (the user included). */
  usersSharingRooms(userId: string, em: EntityManager): Promise<Set<string>> {
    return this.sync.usersSharingRooms(userId, em);
  }

  membershipChanges(
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Array<{ roomId: string; userId: string; membership: string }>> {
    return this.sync.membershipChanges(roomIds, since, upTo, em);
  }

  joinedMembers(roomIds: readonly string[], em: EntityManager): Promise<Map<string, string[]>> {
    return this.sync.joinedMembers(roomIds, em);
  }

  /**
   * Of rooms the user is joined to now by a membership event after `since`, those they came into
   * in (since, upTo]: not joined at `since` (by the room's state then), or left (kicked, banned)
   * and joined again in between. A join followed only by display-name or avatar changes is
   * one; the changes alone are not. Synapse draws the same line ("newly joined").
   */
  async joinedWithin(
    userId: string,
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Set<string>> {
    const joined = await this.sync.roomsWithNonJoinMembership(userId, roomIds, since, upTo, em);
    const rest = roomIds.filter((roomId) => !joined.has(roomId));
    const groups = await this.events.stateGroupsAtPosition(rest, since, em);
    const member = stateKeyTuple('m.room.member', userId);
    const states = await this.state.loadGroups(
      [...groups.values()].filter((group): group is number => group !== null),
      em,
      [member],
    );
    const memberEventAtSince = new Map<string, string>();
    for (const roomId of rest) {
      const group = groups.get(roomId);
      const eventId = group === undefined || group === null ? undefined : states.get(group)?.get(member);
      if (eventId === undefined) joined.add(roomId);
      else memberEventAtSince.set(roomId, eventId);
    }
    const events = await this.events.findMany([...memberEventAtSince.values()], em);
    for (const [roomId, eventId] of memberEventAtSince) {
      if (events.get(eventId)?.event.content.membership !== 'join') joined.add(roomId);
    }
    return joined;
  }

  /** Timelines and the state before them, for many rooms at once (see RoomTimelines). */
  timelines(
    userId: string,
    windows: readonly RoomWindow[],
    request: TimelineRequest,
    em: EntityManager,
  ): Promise<Map<string, RoomTimeline>> {
    return this.roomTimelines.read(userId, windows, request, em);
  }

  /** Spec "Room summary", per room: member counts, and heroes when the room has no name of its own. */
  async summaries(roomIds: readonly string[], userId: string, em: EntityManager): Promise<Map<string, JsonObject>> {
    const result = new Map<string, JsonObject>();
    for (const [roomId, summary] of await this.sync.memberSummaries(roomIds, userId, em))
      result.set(roomId, summaryOf(summary));
    return result;
  }

  /** Unread counts per room: the main timeline, and threads separately when the client asks for them. */
  async unread(
    roomIds: readonly string[],
    userId: string,
    perThread: boolean,
    em: EntityManager,
  ): Promise<Map<string, UnreadNotifications>> {
    const result = new Map<string, UnreadNotifications>();
    if (roomIds.length === 0) return result;
    for (const [roomId, counts] of await this.gatheredUnread.read({ userId, roomIds }, em))
      result.set(roomId, unreadNotifications(counts, perThread));
    return result;
  }

  /** `m.receipt` contents per room for receipts that moved after `since`; private receipts only to their owner. */
  receiptEvents(
    roomIds: readonly string[],
    userId: string,
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Map<string, JsonObject>> {
    return this.receipts.receiptEvents(roomIds, userId, since, upTo, em);
  }

  /** Read markers (`m.fully_read`) the user moved in the window, by room. */
  readMarkersSince(userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, string>> {
    return this.receipts.readMarkersSince(userId, since, upTo, em);
  }

  /** Spec "Stripped state": enough of the room for an invitee to show it, and the invite itself. */
  async strippedState(roomId: string, inviteEventId: string, em: EntityManager): Promise<JsonObject[]> {
    const invite = await this.events.find(inviteEventId, em);
    // An invite from another server brings the room's stripped state with it: we hold nothing else of the room.
    const sent = invite && inviteRoomStateOf(invite.event);
    if (invite && sent)
      return [
        ...sent.filter((item) => !(item.type === 'm.room.member' && item.state_key === invite.event.state_key)),
        strip(invite.event),
      ];
    const ids = await this.state.currentStateIds(roomId, em);
    const wanted = [...ids]
      .filter(([tuple]) => STRIPPED_STATE_TYPES.has(splitStateKeyTuple(tuple).type))
      .map(([, id]) => id);
    const loaded = await this.events.findMany([...wanted, inviteEventId], em);
    return [...loaded.values()].map(({ event }: StoredEvent) => strip(event));
  }

  /** The typing stream's position now (memory only: it restarts with the process). */
  get typingPosition(): number {
    return this.typing.streamPosition;
  }

  /** Rooms whose typing list changed after `since`. */
  typingChangedSince(since: number): Set<string> {
    return this.typing.roomsChangedSince(since);
  }

  /** Users typing in the room now. */
  typingIn(roomId: string): string[] {
    return this.typing.typingIn(roomId);
  }

  /** The user's push-rule version, which moves with every change to their rules. */
  pushRulesVersion(userId: string, em: EntityManager): Promise<number> {
    return this.pushRules.version(userId, em);
  }

  /** The user's rules merged over the server defaults, for `m.push_rules` in global account data. */
  async pushRuleset(userId: string, em: EntityManager): Promise<PushRuleset> {
    return (await this.pushRules.versionedRuleset(userId, em)).ruleset;
  }
}
