import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import {
  RoomSyncReader,
  SlidingRoomReads,
  type CurrentStateRow,
  type MembershipRow,
  type RoomWindow,
  type StateSelector,
} from '@hearth/rooms';
import type { SentRoom } from './connection-state';
import { selectorFor, wantsState, type RequiredState } from './required-state';
import type { RoomConfig } from './sliding-request';

/** Per room, at most this many lazily sent members are remembered (positions hold JSON of every room sent). */
const MAX_LAZY_MEMBERS_KEPT = 200;

/** One room the response carries, with why and how. */
export interface RoomToSend {
  readonly membership: MembershipRow;
  readonly config: RoomConfig;
  /** Sent whole: never sent on this connection, or its config or membership changed. */
  readonly initial: boolean;
  /** Sent before with a shorter `timeline_limit`: the timeline comes whole, not just what is new. */
  readonly expandedTimeline: boolean;
  /** What the connection had of it, when not initial. */
  readonly sent?: SentRoom;
  readonly lists: readonly string[];
  readonly isDm: boolean;
}

export interface RoomResultsRequest {
  readonly userId: string;
  readonly deviceId: string;
  /** The connection's previous event position: timeline events after it are live. */
  readonly liveAfter: number | null;
  readonly upTo: number;
}

/** The rooms of a response, and per room the users whose member events lazy loading sent. */
export interface RoomResults {
  readonly rooms: Record<string, JsonObject>;
  readonly lazySent: ReadonlyMap<string, readonly string[]>;
}

interface Timelines {
  readonly timelines: Map<string, { events: JsonObject[]; limited: boolean; prev_batch: string }>;
}

/** The `rooms` of a sliding sync response: one RoomResult (MSC4186) per room to send. */
@Injectable()
export class RoomResultsBuilder {
  constructor(
    private readonly roomSync: RoomSyncReader,
    private readonly reads: SlidingRoomReads,
  ) {}

  async build(request: RoomResultsRequest, rooms: readonly RoomToSend[], em: EntityManager): Promise<RoomResults> {
    const result: Record<string, JsonObject> = {};
    const lazySent = new Map<string, string[]>();
    const seen = rooms.filter((room) => ['join', 'leave', 'ban'].includes(room.membership.membership));
    for (const room of rooms.filter((room) => !seen.includes(room)))
      result[room.membership.roomId] = await this.strippedRoom(room, em);
    if (seen.length === 0) return { rooms: result, lazySent };

    const { timelines } = await this.timelines(request, seen, em);
    const joinedIds = seen
      .filter((room) => room.membership.membership === 'join')
      .map((room) => room.membership.roomId);
    const summaries = await this.roomSync.summaries(joinedIds, request.userId, em);
    const heroesOf = (roomId: string) => (summaries.get(roomId)?.['m.heroes'] as string[] | undefined) ?? [];
    const lazyUsers = new Map(
      seen.map((room) => [room.membership.roomId, lazyUsersOf(timelines.get(room.membership.roomId)?.events ?? [])]),
    );
    const rows = await this.reads.currentState(
      seen.map((room) => room.membership.roomId),
      unionSelector(seen, request.userId, lazyUsers, heroesOf),
      em,
    );
    const byRoom = groupByRoom(rows);
    const versions = new Map(seen.map((room) => [room.membership.roomId, room.membership.roomVersion]));
    const wanted = seen.flatMap((room) =>
      this.requiredRows(
        room,
        byRoom.get(room.membership.roomId) ?? [],
        request.userId,
        lazyUsers.get(room.membership.roomId) ?? [],
      ),
    );
    const events = await this.reads.clientEvents(wanted, versions, em);
    const unread = await this.roomSync.unread(joinedIds, request.userId, false, em);
    const bumps = await this.reads.bumpStamps(joinedIds, request.upTo, em);
    const live =
      request.liveAfter === null
        ? new Map<string, number>()
        : await this.reads.eventsBetween(joinedIds, request.liveAfter, request.upTo, maxLimit(seen), em);

    for (const room of seen) {
      const roomId = room.membership.roomId;
      const state = byRoom.get(roomId) ?? [];
      const timeline = timelines.get(roomId) ?? { events: [], limited: false, prev_batch: '' };
      const summary = summaries.get(roomId);
      const counts = unread.get(roomId)?.main;
      const lazy = lazyUsers.get(roomId) ?? [];
      const required = this.requiredRows(room, state, request.userId, lazy);
      if (room.config.requiredState.lazyMembers) lazySent.set(roomId, lazySentNow(room, lazy));
      result[roomId] = {
        ...common(room),
        ...(room.expandedTimeline ? { unstable_expanded_timeline: true } : {}),
        ...nameAndAvatar(room, state),
        ...(summary?.['m.heroes'] ? { heroes: heroes(heroesOf(roomId), state) } : {}),
        required_state: required.flatMap((row) => events.get(row.eventId) ?? []),
        timeline: timeline.events,
        ...(timeline.limited ? { limited: true } : {}),
        prev_batch: timeline.prev_batch,
        num_live: Math.min(live.get(roomId) ?? 0, timeline.events.length),
        ...(summary
          ? { joined_count: summary['m.joined_member_count'], invited_count: summary['m.invited_member_count'] }
          : {}),
        ...(counts ?? (room.membership.membership === 'join' ? { notification_count: 0, highlight_count: 0 } : {})),
        bump_stamp: bumps.get(roomId) ?? room.membership.position,
      };
    }
    return { rooms: result, lazySent };
  }

  /** Invited or knocking: only what the invite or knock brought (MSC4186 "Invite/knock/rejections"). */
  private async strippedRoom(room: RoomToSend, em: EntityManager): Promise<JsonObject> {
    const stripped = await this.roomSync.strippedState(room.membership.roomId, room.membership.eventId, em);
    return { ...common(room), invite_state: stripped, stripped_state: stripped, bump_stamp: room.membership.position };
  }

  /** Timelines grouped by limit (usually one group), and each left room up to its leave. */
  private async timelines(
    request: RoomResultsRequest,
    rooms: readonly RoomToSend[],
    em: EntityManager,
  ): Promise<Timelines> {
    const timelines = new Map<string, { events: JsonObject[]; limited: boolean; prev_batch: string }>();
    const window = (room: RoomToSend): RoomWindow => ({
      roomId: room.membership.roomId,
      roomVersion: room.membership.roomVersion,
      since: room.initial || room.expandedTimeline || !room.sent ? null : room.sent.at,
      // From their join on, the user sees every event; earlier ones pass history visibility.
      ...(room.membership.membership === 'join' ? { visibleFrom: room.membership.position } : {}),
    });
    const read = async (group: readonly RoomToSend[], limit: number, upTo: number) => {
      const read = await this.roomSync.timelines(
        request.userId,
        group.map(window),
        { upTo, limit, filter: {}, deviceId: request.deviceId, withoutState: true },
        em,
      );
      for (const [roomId, room] of read) timelines.set(roomId, room.timeline);
    };
    const joined = rooms.filter((room) => room.membership.membership === 'join');
    for (const limit of new Set(joined.map((room) => room.config.timelineLimit)))
      await read(
        joined.filter((room) => room.config.timelineLimit === limit),
        limit,
        request.upTo,
      );
    for (const room of rooms.filter((room) => room.membership.membership !== 'join'))
      await read([room], room.config.timelineLimit, Math.min(room.membership.position, request.upTo));
    return { timelines };
  }

  /**
   * The state entries to send: all that the config asks for when initial, else those changed
   * since the room was last sent and those newly asked for (a wider config); lazily loaded
   * members the connection has not been sent yet or that changed. A room left shows only the
   * user's own membership: its current state may have moved on after they left.
   */
  private requiredRows(
    room: RoomToSend,
    rows: readonly CurrentStateRow[],
    userId: string,
    lazyUsers: readonly string[],
  ): CurrentStateRow[] {
    if (room.membership.membership !== 'join')
      return rows.filter((row) => row.type === 'm.room.member' && row.stateKey === userId);
    const state = room.config.requiredState;
    const lazy = new Set(state.lazyMembers ? lazyUsers : []);
    const since = room.initial ? null : (room.sent?.at ?? null);
    const previous = room.initial ? undefined : room.sent?.requiredState;
    // Positions written before lazy members were kept send them every time, as before.
    const lazyHad = new Set(room.initial ? [] : (room.sent?.lazyMembers ?? []));
    const changed = (row: CurrentStateRow) => since === null || row.position > since;
    return rows.filter((row) => {
      if (row.type === 'm.room.member' && lazy.has(row.stateKey)) return !lazyHad.has(row.stateKey) || changed(row);
      if (state.lazyMembers && row.type === 'm.room.member' && !explicitlyWanted(state.include, row, userId))
        return false;
      if (!wantsState(state, row.type, row.stateKey, userId)) return false;
      return changed(row) || (previous !== undefined && !wantedBefore(previous, row, userId));
    });
  }
}

/** Whether a previous config had the entry already (then the client has it, unless it changed). */
function wantedBefore(previous: RequiredState, row: CurrentStateRow, userId: string): boolean {
  if (row.type === 'm.room.member' && previous.lazyMembers && !explicitlyWanted(previous.include, row, userId))
    return false;
  return wantsState(previous, row.type, row.stateKey, userId);
}

/** Lazy members the connection holds after this response (bounded: older ones are sent again if needed). */
function lazySentNow(room: RoomToSend, lazy: readonly string[]): string[] {
  const had = room.initial ? [] : (room.sent?.lazyMembers ?? []);
  return [...new Set([...lazy, ...had])].slice(0, MAX_LAZY_MEMBERS_KEPT);
}

function explicitlyWanted(
  include: RoomConfig['requiredState']['include'],
  row: CurrentStateRow,
  userId: string,
): boolean {
  return include.some(
    ([type, key]) => type === 'm.room.member' && (key === row.stateKey || (key === '$ME' && row.stateKey === userId)),
  );
}

function common(room: RoomToSend): JsonObject {
  return {
    membership: room.membership.membership,
    ...(room.lists.length > 0 ? { lists: [...room.lists] } : {}),
    ...(room.initial ? { initial: true } : {}),
    ...((room.initial && room.isDm) || (!room.initial && room.sent?.isDm !== room.isDm) ? { is_dm: room.isDm } : {}),
  };
}

/** `name` and `avatar`: when initial, if set; afterwards, when changed (null once removed). */
function nameAndAvatar(room: RoomToSend, state: readonly CurrentStateRow[]): JsonObject {
  const result: JsonObject = {};
  const since = room.initial ? null : (room.sent?.at ?? null);
  const field = (type: string, key: string) => {
    const row = state.find((r) => r.type === type && r.stateKey === '');
    if (!row || (since !== null && row.position <= since)) return undefined;
    const value = row.content[key];
    return typeof value === 'string' && value !== '' ? value : since === null ? undefined : null;
  };
  const name = field('m.room.name', 'name');
  const avatar = field('m.room.avatar', 'url');
  if (name !== undefined) result.name = name;
  if (avatar !== undefined) result.avatar = avatar;
  return result;
}

/** MSC4186 StrippedHero: the user, with the display name and avatar of their member event. */
function heroes(userIds: readonly string[], state: readonly CurrentStateRow[]): JsonObject[] {
  return userIds.map((userId) => {
    const content = state.find((row) => row.type === 'm.room.member' && row.stateKey === userId)?.content ?? {};
    return {
      user_id: userId,
      ...(typeof content.displayname === 'string' ? { displayname: content.displayname } : {}),
      ...(typeof content.avatar_url === 'string' ? { avatar_url: content.avatar_url } : {}),
    };
  });
}

/** Lazy loading: the senders of the timeline's events and the targets of its member events. */
function lazyUsersOf(events: readonly JsonObject[]): string[] {
  const users = new Set<string>();
  for (const event of events) {
    if (typeof event.sender === 'string') users.add(event.sender);
    if (event.type === 'm.room.member' && typeof event.state_key === 'string') users.add(event.state_key);
  }
  return [...users];
}

/** One read for every room: what any room's config asks for, names, avatars, heroes and lazy members. */
function unionSelector(
  rooms: readonly RoomToSend[],
  userId: string,
  lazyUsers: ReadonlyMap<string, string[]>,
  heroesOf: (roomId: string) => readonly string[],
): StateSelector {
  const selectors = rooms.map((room) =>
    selectorFor(room.config.requiredState, userId, [
      ...(lazyUsers.get(room.membership.roomId) ?? []),
      ...heroesOf(room.membership.roomId),
      userId,
    ]),
  );
  return {
    allButMembers: selectors.some((s) => s.allButMembers),
    allMembers: selectors.some((s) => s.allMembers),
    types: [...new Set(selectors.flatMap((s) => s.types ?? []))],
    stateKeys: [...new Set(selectors.flatMap((s) => s.stateKeys ?? []))],
    pairs: [
      ['m.room.name', ''],
      ['m.room.avatar', ''],
      ...new Map(selectors.flatMap((s) => s.pairs ?? []).map((pair) => [`${pair[0]}\u0000${pair[1]}`, pair])).values(),
    ],
  };
}

function groupByRoom(rows: readonly CurrentStateRow[]): Map<string, CurrentStateRow[]> {
  const byRoom = new Map<string, CurrentStateRow[]>();
  for (const row of rows) {
    const list = byRoom.get(row.roomId) ?? [];
    list.push(row);
    byRoom.set(row.roomId, list);
  }
  return byRoom;
}

function maxLimit(rooms: readonly RoomToSend[]): number {
  return Math.max(0, ...rooms.map((room) => room.config.timelineLimit));
}
