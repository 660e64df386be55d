import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getRoomVersion, splitStateKeyTuple, stateKeyTuple, type JsonObject, type StateKeyTuple } from '@hearth/protocol';
import { toClientEvent } from '../events/client-event';
import { HistoryVisibility } from '../events/history-visibility';
import { filterToSql, type RoomEventFilter } from '../messages/event-filter';
import { encodePageToken } from '../messages/page-token';
import { ReceiptsService } from '../push/receipts.service';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { SyncRepository, type MembershipRow, type ReceiptRow } from '../storage/sync.repository';

/** What sync asks of one room the user is joined to (or left). */
export interface RoomWindow {
  /** Events after this position are new to the client; null sends the room whole (initial sync, a new join, full_state). */
  readonly since: number | null;
  /** The event stream position the response stops at. */
  readonly upTo: number;
  readonly filter: RoomEventFilter;
  readonly limit: number;
  /** Send the whole state at the timeline's start even though `since` is set (full_state). */
  readonly fullState?: boolean;
  readonly roomVersion: string;
  /**
   * The user was joined at `since` and has not changed membership since: every event in the
   * window is visible to them whatever the history visibility, and no check is needed.
   */
  readonly joinedThroughout?: boolean;
}

export interface RoomTimeline {
  readonly timeline: { events: JsonObject[]; limited: boolean; prev_batch: string };
  readonly state: { events: JsonObject[] };
}

const STRIPPED_STATE_TYPES = new Set(['m.room.create', 'm.room.join_rules', 'm.room.name', 'm.room.avatar', 'm.room.canonical_alias', 'm.room.topic', 'm.room.encryption']);
const MAX_HEROES = 5;

/**
 * Rooms' part of /sync: timelines with the state before them, invites as stripped state,
 * summaries, unread counts and receipts. Every event passes history visibility.
 */
@Injectable()
export class RoomSyncService {
  constructor(
    private readonly sync: SyncRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly visibility: HistoryVisibility,
    private readonly receipts: ReceiptsService,
  ) {}

  memberships(userId: string, em: EntityManager): Promise<MembershipRow[]> {
    return this.sync.memberships(userId, em);
  }

  roomsWithEvents(roomIds: readonly string[], since: number, upTo: number, em: EntityManager): Promise<Set<string>> {
    return this.sync.roomsWithEvents(roomIds, since, upTo, em);
  }

  /** The timeline in the window, newest `limit` events, and the state at its start (whole, or what changed since `since`). */
  async timeline(roomId: string, userId: string, window: RoomWindow, em: EntityManager): Promise<RoomTimeline> {
    const version = getRoomVersion(window.roomVersion);
    if (!version) throw new Error(`Room ${roomId} has unknown version ${window.roomVersion}`);
    const { events, limited } = await this.sync.timeline(roomId, window.since ?? 0, window.upTo, window.limit, em, filterToSql(window.filter, 5));
    const visible = window.joinedThroughout ? events : await this.visibility.filter(userId, roomId, events, em);
    const first = events[0];
    const startGroup = first ? first.stateGroupBefore : await this.events.stateGroupAtPosition(roomId, window.upTo, em);
    const lazyMembers = window.filter.lazy_load_members ? [...new Set([userId, ...visible.map((e) => e.event.sender)])].map((user) => stateKeyTuple('m.room.member', user)) : undefined;
    const stateIds = await this.stateAtStart(roomId, startGroup, window, { limited, lazyMembers }, em);
    const stateEvents = await this.events.findMany([...new Set(stateIds.values())], em);
    return {
      timeline: {
        events: visible.map((stored) => toClientEvent(stored, version)),
        limited,
        prev_batch: encodePageToken(first ? first.streamOrdering - 1 : window.upTo),
      },
      state: { events: [...stateEvents.values()].map((stored) => toClientEvent(stored, version)) },
    };
  }

  /**
   * The state a client needs before the timeline: all of it, or what changed between its token
   * and the timeline's start. When the timeline holds every event since the token (and no filter
   * hid any), nothing changed in between, and no state needs loading at all.
   */
  private async stateAtStart(
    roomId: string,
    startGroup: number | null,
    window: RoomWindow,
    timeline: { limited: boolean; lazyMembers: StateKeyTuple[] | undefined },
    em: EntityManager,
  ): Promise<Map<StateKeyTuple, string>> {
    const load = async (group: number | null, only?: StateKeyTuple[]) => (group === null ? new Map<StateKeyTuple, string>() : this.state.loadGroup(group, em, only));
    const { lazyMembers } = timeline;
    const full = window.since === null || window.fullState === true;
    const result = new Map<StateKeyTuple, string>();
    if (!full && !timeline.limited && !hidesEvents(window.filter)) {
      if (lazyMembers) for (const [tuple, id] of await load(startGroup, lazyMembers)) result.set(tuple, id);
      return result;
    }
    const atStart = await load(startGroup);
    const atSince = full ? undefined : await load(await this.events.stateGroupAtPosition(roomId, window.since, em));
    const needed = lazyMembers ? new Set(lazyMembers) : undefined;
    for (const [tuple, id] of atStart) {
      const member = splitStateKeyTuple(tuple).type === 'm.room.member';
      if (needed && member && !needed.has(tuple)) continue;
      if (atSince?.get(tuple) === id && !(needed && member)) continue;
      result.set(tuple, id);
    }
    return result;
  }

  /** Spec "Room summary": member counts, and heroes when the room has no name of its own. */
  async summary(roomId: string, userId: string, em: EntityManager): Promise<JsonObject> {
    const members = await this.sync.members(roomId, em);
    const joined = members.filter((m) => m.membership === 'join');
    const invited = members.filter((m) => m.membership === 'invite');
    const named = (await this.state.currentStateEventId(roomId, 'm.room.name', '', em)) ?? (await this.state.currentStateEventId(roomId, 'm.room.canonical_alias', '', em));
    const others = [...joined, ...invited].filter((m) => m.userId !== userId);
    const heroes = (others.length > 0 ? others : members.filter((m) => m.userId !== userId)).slice(0, MAX_HEROES).map((m) => m.userId);
    return {
      ...(named === undefined ? { 'm.heroes': heroes } : {}),
      'm.joined_member_count': joined.length,
      'm.invited_member_count': invited.length,
    };
  }

  /** Unread counts: the main timeline, and threads separately when the client asks for them. */
  async unread(roomId: string, userId: string, perThread: boolean, em: EntityManager): Promise<{ main: JsonObject; threads?: JsonObject }> {
    const counts = await this.receipts.unreadCounts(roomId, userId, em);
    const zero = { notification_count: 0, highlight_count: 0 };
    if (!perThread) {
      let notifications = 0;
      let highlights = 0;
      for (const c of counts.values()) {
        notifications += c.notification_count;
        highlights += c.highlight_count;
      }
      return { main: { notification_count: notifications, highlight_count: highlights } };
    }
    const threads: JsonObject = {};
    for (const [threadId, c] of counts) if (threadId !== '') threads[threadId] = { ...c };
    return { main: { ...(counts.get('') ?? zero) }, threads };
  }

  /** `m.receipt` contents per room for receipts that moved after `since`; private receipts only to their owner. */
  async receiptEvents(roomIds: readonly string[], userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, JsonObject>> {
    const byRoom = await this.sync.receiptsSince(roomIds, since, upTo, em);
    const result = new Map<string, JsonObject>();
    for (const [roomId, receipts] of byRoom) {
      const content = receiptContent(receipts.filter((r) => r.receiptType !== 'm.read.private' || r.userId === userId));
      if (Object.keys(content).length > 0) result.set(roomId, { type: 'm.receipt', content });
    }
    return result;
  }

  readMarkersSince(userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, string>> {
    return this.sync.readMarkersSince(userId, since, upTo, em);
  }

  receiptPosition(em: EntityManager): Promise<number> {
    return this.sync.receiptPosition(em);
  }

  /** Spec "Stripped state": enough of the room for an invitee to show it, and the invite itself. */
  async strippedState(roomId: string, inviteEventId: string, em: EntityManager): Promise<JsonObject[]> {
    const ids = await this.state.currentStateIds(roomId, em);
    const wanted = [...ids].filter(([tuple]) => STRIPPED_STATE_TYPES.has(splitStateKeyTuple(tuple).type)).map(([, id]) => id);
    const loaded = await this.events.findMany([...wanted, inviteEventId], em);
    return [...loaded.values()].map(({ event }: StoredEvent) => ({ type: event.type, state_key: event.state_key ?? '', content: event.content, sender: event.sender }));
  }

}

/** Whether a timeline filter can leave events of the window out (then the timeline does not show every change). */
function hidesEvents(filter: RoomEventFilter): boolean {
  return filter.types !== undefined || (filter.not_types?.length ?? 0) > 0 || filter.senders !== undefined || (filter.not_senders?.length ?? 0) > 0 || filter.contains_url !== undefined;
}

/** Spec "Receipts": `{ eventId: { receiptType: { userId: { ts, thread_id? } } } }`. */
function receiptContent(receipts: readonly ReceiptRow[]): JsonObject {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  for (const r of receipts) {
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = { ts: r.ts, ...(r.threadId !== '' ? { thread_id: r.threadId } : {}) };
  }
  return content;
}
