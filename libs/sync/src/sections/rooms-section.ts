import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { readBoth } from '@hearth/storage';
import {
  RoomSyncReader,
  type ActivityAhead,
  type MembershipRow,
  type RoomActivity,
  type RoomEventFilter,
  type RoomWindow,
} from '@hearth/rooms';
import { filterEvents, passesRoomFilter, type SyncFilter } from '../filters/sync-filter';
import type { SyncToken } from '../sync-token';

/** Spec: a timeline of 10 events when the filter does not say. */
const DEFAULT_TIMELINE_LIMIT = 10;
const MAX_TIMELINE_LIMIT = 500;

export interface RoomsRequest {
  readonly userId: string;
  /** The syncing device: its own sends carry their transaction IDs. */
  readonly deviceId: string;
  readonly since: SyncToken | null;
  readonly upTo: SyncToken;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  /** Fingerprint of the user's memberships at `upTo`: rows kept from an earlier sync serve when it matches. */
  readonly membershipsFingerprint?: string;
  /** Room account data written in the window, by room (m.fully_read included). */
  readonly roomAccountData: ReadonlyMap<string, JsonObject[]>;
  /** The activity read started beside the sync's first statement, if it was. */
  readonly activityAhead?: ActivityAhead;
}

export interface RoomsSection {
  readonly join: Record<string, JsonObject>;
  readonly invite: Record<string, JsonObject>;
  readonly leave: Record<string, JsonObject>;
  readonly knock: Record<string, JsonObject>;
  /** Rooms whose changes wake this user's waiting syncs. */
  readonly watched: string[];
  /** The user's memberships now, whatever the filter. */
  readonly memberships: readonly MembershipRow[];
  /** What moved in the user's rooms in the window, when the events stream moved past the token. */
  readonly activity?: RoomActivity;
}

/** `rooms` of a /sync response: joined rooms with what moved in them, invites, knocks and rooms left. */
@Injectable()
export class RoomsSectionBuilder {
  constructor(private readonly rooms: RoomSyncReader) {}

  async build(request: RoomsRequest, em: EntityManager): Promise<RoomsSection> {
    const { userId, since, filter } = request;
    const roomFilter = filter.room;
    const all = await this.rooms.memberships(userId, em, request.membershipsFingerprint);
    // One read for what moved in every room the user has a membership in: device lists use it too.
    const activity =
      since !== null && since.events < request.upTo.events
        ? await this.rooms.roomActivity(
            all.map((m) => m.roomId),
            since.events,
            request.upTo.events,
            em,
            request.activityAhead,
          )
        : undefined;
    const memberships = all.filter((m) => passesRoomFilter(roomFilter, m.roomId));
    const joined = memberships.filter((m) => m.membership === 'join');
    const section: RoomsSection = {
      join: {},
      invite: {},
      leave: {},
      knock: {},
      watched: all.filter((m) => m.membership === 'join').map((m) => m.roomId),
      memberships: all,
      ...(activity ? { activity } : {}),
    };

    const isNew = (m: MembershipRow) => since === null || m.position > since.events;
    await this.addJoined(request, joined, activity?.withEvents ?? new Set(), section, em);
    for (const m of memberships.filter((m) => (m.membership === 'invite' || m.membership === 'knock') && isNew(m))) {
      const stripped = await this.rooms.strippedState(m.roomId, m.eventId, em);
      if (m.membership === 'invite') section.invite[m.roomId] = { invite_state: { events: stripped } };
      else section.knock[m.roomId] = { knock_state: { events: stripped } };
    }
    const includeLeave = since !== null || roomFilter?.include_leave === true;
    for (const m of memberships.filter(
      (m) => (m.membership === 'leave' || m.membership === 'ban') && includeLeave && isNew(m),
    )) {
      section.leave[m.roomId] = await this.leftRoom(request, m, em);
    }
    return section;
  }

  private async addJoined(
    request: RoomsRequest,
    joined: readonly MembershipRow[],
    movedRooms: ReadonlySet<string>,
    section: RoomsSection,
    em: EntityManager,
  ): Promise<void> {
    const { userId, since, upTo, filter } = request;
    const roomIds = joined.map((m) => m.roomId);
    // Streams that did not move past the token are not read: a wake-up reads what moved.
    const withEvents = since === null ? new Set(roomIds) : movedRooms;
    const typingMoved = this.rooms.typingChangedSince(since?.typing ?? 0);
    const receipts =
      since !== null && since.receipts >= upTo.receipts
        ? new Map<string, JsonObject>()
        : await this.rooms.receiptEvents(roomIds, userId, since?.receipts ?? 0, upTo.receipts, em);
    // A membership event after the token is not a join by itself: a display-name or avatar change is one too.
    const membershipMoved = since === null ? [] : joined.filter((m) => m.position > since.events).map((m) => m.roomId);
    const newlyJoinedRooms =
      since === null
        ? new Set<string>()
        : await this.rooms.joinedWithin(userId, membershipMoved, since.events, upTo.events, em);

    const included: Array<{
      m: MembershipRow;
      window: RoomWindow;
      ephemeral: JsonObject[];
      accountData: JsonObject[];
    }> = [];
    for (const m of joined) {
      const newlyJoined = newlyJoinedRooms.has(m.roomId);
      const typingUsers = this.rooms.typingIn(m.roomId);
      const typingChanged = since === null ? typingUsers.length > 0 : typingMoved.has(m.roomId);
      const accountData = request.roomAccountData.get(m.roomId) ?? [];
      const receipt = receipts.get(m.roomId);
      if (
        since !== null &&
        !request.fullState &&
        !newlyJoined &&
        !withEvents.has(m.roomId) &&
        !typingChanged &&
        !receipt &&
        accountData.length === 0
      )
        continue;
      const fresh = since === null || newlyJoined;
      included.push({
        m,
        // Joined from their membership event on (or since the token, if joined before it), the user sees every event.
        window: {
          roomId: m.roomId,
          roomVersion: m.roomVersion,
          since: fresh ? null : since.events,
          visibleFrom: fresh ? m.position : 0,
        },
        ephemeral: [
          ...(typingChanged ? [{ type: 'm.typing', content: { user_ids: typingUsers } }] : []),
          ...(receipt ? [receipt] : []),
        ],
        accountData,
      });
    }
    if (included.length === 0) return;

    const ids = included.map((room) => room.m.roomId);
    const [timelines, unread] = await readBoth(
      em,
      () =>
        this.rooms.timelines(
          userId,
          included.map((room) => room.window),
          { upTo: upTo.events, ...this.timelineRequest(request) },
          em,
        ),
      () => this.rooms.unread(ids, userId, filter.room?.timeline?.unread_thread_notifications === true, em),
    );
    // The summary only changes with membership: sent whole at first, then when members move.
    const summaryFor = ids.filter((roomId, i) => {
      const room = timelines.get(roomId);
      return (
        included[i]?.window.since === null ||
        request.fullState ||
        (room !== undefined && touchesMembers(room.timeline.events, room.state.events))
      );
    });
    const summaries = await this.rooms.summaries(summaryFor, userId, em);
    for (const { m, ephemeral, accountData } of included) {
      const room = timelines.get(m.roomId);
      if (!room) continue;
      const counts = unread.get(m.roomId);
      const summary = summaries.get(m.roomId);
      section.join[m.roomId] = {
        timeline: room.timeline,
        state: { events: filterEvents(filter.room?.state, room.state.events) },
        ephemeral: { events: filterEvents(filter.room?.ephemeral, ephemeral) },
        account_data: { events: filterEvents(filter.room?.account_data, accountData) },
        ...(summary ? { summary } : {}),
        unread_notifications: counts?.main ?? { notification_count: 0, highlight_count: 0 },
        ...(counts?.threads ? { unread_thread_notifications: counts.threads } : {}),
      };
    }
  }

  /** A room left (or banned from) since the token: its timeline up to the leave, and the state then. */
  private async leftRoom(request: RoomsRequest, m: MembershipRow, em: EntityManager): Promise<JsonObject> {
    const window: RoomWindow = { roomId: m.roomId, roomVersion: m.roomVersion, since: request.since?.events ?? null };
    const timelines = await this.rooms.timelines(
      request.userId,
      [window],
      { upTo: Math.min(m.position, request.upTo.events), ...this.timelineRequest(request) },
      em,
    );
    const room = timelines.get(m.roomId);
    return {
      timeline: room?.timeline ?? { events: [], limited: false },
      state: { events: filterEvents(request.filter.room?.state, room?.state.events ?? []) },
      account_data: {
        events: filterEvents(request.filter.room?.account_data, request.roomAccountData.get(m.roomId) ?? []),
      },
    };
  }

  private timelineRequest(request: RoomsRequest): {
    limit: number;
    filter: RoomEventFilter;
    fullState: boolean;
    deviceId: string;
  } {
    return {
      limit: Math.min(request.filter.room?.timeline?.limit ?? DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT),
      filter: timelineFilterOf(request.filter),
      fullState: request.fullState,
      deviceId: request.deviceId,
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
