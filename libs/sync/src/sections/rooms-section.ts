import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncService, TypingService, type MembershipRow, type RoomEventFilter } from '@hearth/rooms';
import { filterEvents, passesRoomFilter, type SyncFilter } from '../filters/sync-filter';
import type { SyncToken } from '../sync-token';

/** Spec: a timeline of 10 events when the filter does not say. */
const DEFAULT_TIMELINE_LIMIT = 10;
const MAX_TIMELINE_LIMIT = 500;

export interface RoomsRequest {
  readonly userId: string;
  readonly since: SyncToken | null;
  readonly upTo: SyncToken;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  /** Room account data written in the window, by room (m.fully_read included). */
  readonly roomAccountData: ReadonlyMap<string, JsonObject[]>;
}

export interface RoomsSection {
  readonly join: Record<string, JsonObject>;
  readonly invite: Record<string, JsonObject>;
  readonly leave: Record<string, JsonObject>;
  readonly knock: Record<string, JsonObject>;
  /** Rooms whose changes wake this user's waiting syncs. */
  readonly watched: string[];
}

/** `rooms` of a /sync response: joined rooms with what moved in them, invites, knocks and rooms left. */
@Injectable()
export class RoomsSectionBuilder {
  constructor(
    private readonly rooms: RoomSyncService,
    private readonly typing: TypingService,
  ) {}

  async build(request: RoomsRequest, em: EntityManager): Promise<RoomsSection> {
    const { userId, since, filter } = request;
    const roomFilter = filter.room;
    const memberships = (await this.rooms.memberships(userId, em)).filter((m) => passesRoomFilter(roomFilter, m.roomId));
    const joined = memberships.filter((m) => m.membership === 'join');
    const section: RoomsSection = { join: {}, invite: {}, leave: {}, knock: {}, watched: joined.map((m) => m.roomId) };

    const isNew = (m: MembershipRow) => since === null || m.position > since.events;
    await this.addJoined(request, joined, section, em);
    for (const m of memberships.filter((m) => (m.membership === 'invite' || m.membership === 'knock') && isNew(m))) {
      const stripped = await this.rooms.strippedState(m.roomId, m.eventId, em);
      if (m.membership === 'invite') section.invite[m.roomId] = { invite_state: { events: stripped } };
      else section.knock[m.roomId] = { knock_state: { events: stripped } };
    }
    const includeLeave = since !== null || roomFilter?.include_leave === true;
    for (const m of memberships.filter((m) => (m.membership === 'leave' || m.membership === 'ban') && includeLeave && isNew(m))) {
      section.leave[m.roomId] = await this.leftRoom(request, m, em);
    }
    return section;
  }

  private async addJoined(request: RoomsRequest, joined: readonly MembershipRow[], section: RoomsSection, em: EntityManager): Promise<void> {
    const { userId, since, upTo, filter } = request;
    const roomIds = joined.map((m) => m.roomId);
    const withEvents = since === null ? new Set(roomIds) : await this.rooms.roomsWithEvents(roomIds, since.events, upTo.events, em);
    const typingMoved = this.typing.roomsChangedSince(since?.typing ?? 0);
    const receipts = await this.rooms.receiptEvents(roomIds, userId, since?.receipts ?? 0, upTo.receipts, em);
    const timelineFilter = timelineFilterOf(filter);
    const perThread = filter.room?.timeline?.unread_thread_notifications === true;

    for (const m of joined) {
      const { roomId } = m;
      const newlyJoined = since !== null && m.position > since.events;
      const typingUsers = this.typing.typingIn(roomId);
      const typingChanged = since === null ? typingUsers.length > 0 : typingMoved.has(roomId);
      const accountData = request.roomAccountData.get(roomId) ?? [];
      const receipt = receipts.get(roomId);
      if (since !== null && !request.fullState && !newlyJoined && !withEvents.has(roomId) && !typingChanged && !receipt && accountData.length === 0) continue;

      const window = {
        since: since === null || newlyJoined ? null : since.events,
        roomVersion: m.roomVersion,
        joinedThroughout: since !== null && !newlyJoined,
        upTo: upTo.events,
        filter: timelineFilter,
        limit: Math.min(filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT),
        fullState: request.fullState,
      };
      const { timeline, state } = await this.rooms.timeline(roomId, userId, window, em);
      const ephemeral = [...(typingChanged ? [{ type: 'm.typing', content: { user_ids: typingUsers } }] : []), ...(receipt ? [receipt] : [])];
      const unread = await this.rooms.unread(roomId, userId, perThread, em);
      section.join[roomId] = {
        timeline,
        state: { events: filterEvents(filter.room?.state, state.events) },
        ephemeral: { events: filterEvents(filter.room?.ephemeral, ephemeral) },
        account_data: { events: filterEvents(filter.room?.account_data, accountData) },
        // The summary only changes with membership: sent whole at first, then when members move.
        ...(window.since === null || request.fullState || touchesMembers(timeline.events, state.events) ? { summary: await this.rooms.summary(roomId, userId, em) } : {}),
        unread_notifications: unread.main,
        ...(unread.threads ? { unread_thread_notifications: unread.threads } : {}),
      };
    }
  }

  /** A room left (or banned from) since the token: its timeline up to the leave, and the state then. */
  private async leftRoom(request: RoomsRequest, m: MembershipRow, em: EntityManager): Promise<JsonObject> {
    const window = {
      since: request.since?.events ?? null,
      roomVersion: m.roomVersion,
      upTo: Math.min(m.position, request.upTo.events),
      filter: timelineFilterOf(request.filter),
      limit: Math.min(request.filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT),
      fullState: request.fullState,
    };
    const { timeline, state } = await this.rooms.timeline(m.roomId, request.userId, window, em);
    return {
      timeline,
      state: { events: filterEvents(request.filter.room?.state, state.events) },
      account_data: { events: filterEvents(request.filter.room?.account_data, request.roomAccountData.get(m.roomId) ?? []) },
    };
  }
}

function touchesMembers(...lists: ReadonlyArray<readonly JsonObject[]>): boolean {
  return lists.some((events) => events.some((event) => event.type === 'm.room.member'));
}

/** The timeline filter as /messages takes it; lazy loading is asked for on the state filter. */
function timelineFilterOf(filter: SyncFilter): RoomEventFilter {
  const timeline = filter.room?.timeline ?? {};
  const state = filter.room?.state ?? {};
  return {
    ...(timeline.types ? { types: timeline.types } : {}),
    ...(timeline.not_types ? { not_types: timeline.not_types } : {}),
    ...(timeline.senders ? { senders: timeline.senders } : {}),
    ...(timeline.not_senders ? { not_senders: timeline.not_senders } : {}),
    ...(timeline.contains_url !== undefined ? { contains_url: timeline.contains_url } : {}),
    lazy_load_members: state.lazy_load_members === true || timeline.lazy_load_members === true,
  };
}
