import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  getRoomVersion,
  splitStateKeyTuple,
  stateKeyTuple,
  type JsonObject,
  type StateKeyTuple,
} from '@hearth/protocol';
import { toClientEvent } from '../events/client-event';
import { HistoryVisibility } from '../events/history-visibility';
import { filterToSql, type RoomEventFilter } from '../messages/event-filter';
import { encodePageToken } from '../messages/page-token';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { InFlightReads } from './in-flight-reads';

/** One room of a sync: where the client is in it. */
export interface RoomWindow {
  readonly roomId: string;
  readonly roomVersion: string;
  /** Events after this position are new to the client; null sends the room whole (initial sync, a new join). */
  readonly since: number | null;
  /**
   * Events at or after this position are visible to the user whatever the history visibility
   * (they were joined from here on); earlier ones are checked.
   */
  readonly visibleFrom?: number;
}

/** What is the same for every room of one sync. */
export interface TimelineRequest {
  /** The event stream position the response stops at. */
  readonly upTo: number;
  readonly limit: number;
  readonly filter: RoomEventFilter;
  /** Send the whole state at the timeline's start even though `since` is set (full_state). */
  readonly fullState?: boolean;
  /** The syncing device: the events it sent carry their transaction IDs (unsigned.transaction_id). */
  readonly deviceId?: string;
  /** Timelines only, no state before them (sliding sync reads current state its own way). */
  readonly withoutState?: boolean;
}

export interface RoomTimeline {
  readonly timeline: { events: JsonObject[]; limited: boolean; prev_batch: string };
  readonly state: { events: JsonObject[] };
}

interface Page {
  readonly window: RoomWindow;
  readonly events: StoredEvent[];
  readonly visible: StoredEvent[];
  readonly limited: boolean;
  startGroup: number | null;
}

/**
 * Timelines of many rooms with the state before each, in a handful of statements whatever the
 * number of rooms: the pages, the state groups, and the state events are each read for all
 * rooms at once.
 */
@Injectable()
export class RoomTimelines {
  /** Syncs woken by the same change read the same pages: one statement serves them all. */
  private readonly sharedPages = new InFlightReads<Map<string, StoredEvent[]>>();

  constructor(
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly visibility: HistoryVisibility,
  ) {}

  async read(
    userId: string,
    windows: readonly RoomWindow[],
    request: TimelineRequest,
    em: EntityManager,
  ): Promise<Map<string, RoomTimeline>> {
    const pages = await this.pages(userId, windows, request, em);
    const emptyPages = request.withoutState
      ? []
      : pages.filter((page) => page.events.length === 0).map((page) => page.window.roomId);
    const atUpTo = await this.events.stateGroupsAtPosition(emptyPages, request.upTo, em);
    for (const page of pages) if (page.events.length === 0) page.startGroup = atUpTo.get(page.window.roomId) ?? null;

    const stateIds = request.withoutState
      ? new Map<string, Map<StateKeyTuple, string>>()
      : await this.statesAtStart(userId, pages, request, em);
    const stateEvents = await this.events.findMany(
      [...new Set([...stateIds.values()].flatMap((ids) => [...ids.values()]))],
      em,
    );
    const transactionIds =
      request.deviceId === undefined
        ? undefined
        : await this.events.transactionIds(
            { userId, deviceId: request.deviceId },
            pages.flatMap((page) => page.visible),
            em,
          );
    const result = new Map<string, RoomTimeline>();
    for (const page of pages) {
      const version = getRoomVersion(page.window.roomVersion);
      if (!version) throw new Error(`Room ${page.window.roomId} has unknown version ${page.window.roomVersion}`);
      const first = page.events[0];
      const state = [...(stateIds.get(page.window.roomId)?.values() ?? [])].flatMap((id) => stateEvents.get(id) ?? []);
      result.set(page.window.roomId, {
        timeline: {
          events: page.visible.map((stored) => toClientEvent(stored, version, { transactionIds })),
          limited: page.limited,
          prev_batch: encodePageToken(first ? first.streamOrdering - 1 : request.upTo),
        },
        state: { events: state.map((stored) => toClientEvent(stored, version)) },
      });
    }
    return result;
  }

  private async pages(
    userId: string,
    windows: readonly RoomWindow[],
    request: TimelineRequest,
    em: EntityManager,
  ): Promise<Page[]> {
    const ranges = windows.map((w) => ({ roomId: w.roomId, after: w.since ?? 0 }));
    const filter = filterToSql(request.filter, 5);
    const key = JSON.stringify([ranges, request.upTo, request.limit, filter]);
    const byRoom = await this.sharedPages.read(key, () =>
      this.events.pagesBetween(ranges, request.upTo, request.limit + 1, em, filter),
    );
    const pages: Page[] = [];
    for (const window of windows) {
      const newestFirst = byRoom.get(window.roomId) ?? [];
      const events = newestFirst.slice(0, request.limit).reverse();
      const knownVisible =
        window.visibleFrom !== undefined && events.every((e) => e.streamOrdering >= (window.visibleFrom as number));
      const visible = knownVisible ? events : await this.visibility.filter(userId, window.roomId, events, em);
      pages.push({
        window,
        events,
        visible,
        limited: newestFirst.length > request.limit,
        startGroup: events[0]?.stateGroupBefore ?? null,
      });
    }
    return pages;
  }

  /**
   * The state each client needs before its timeline: all of it, or what changed between its
   * token and the timeline's start. When a timeline holds every event since the token (and no
   * filter hid any), nothing changed in between, and only lazily loaded members are needed.
   */
  private async statesAtStart(
    userId: string,
    pages: readonly Page[],
    request: TimelineRequest,
    em: EntityManager,
  ): Promise<Map<string, Map<StateKeyTuple, string>>> {
    const full = (page: Page) => page.window.since === null || request.fullState === true;
    const unchanged = (page: Page) => !full(page) && !page.limited && !hidesEvents(request.filter);
    const lazy = request.filter.lazy_load_members === true;
    const needsStart = pages.filter((page) => !unchanged(page) || lazy);
    const needsSince = pages.filter((page) => !full(page) && !unchanged(page));
    const sinceGroups = new Map<string, number | null>();
    // Every incremental room of one sync shares the token's position: usually one statement.
    for (const since of new Set(needsSince.map((page) => page.window.since as number))) {
      const roomIds = needsSince.filter((page) => page.window.since === since).map((page) => page.window.roomId);
      for (const [roomId, group] of await this.events.stateGroupsAtPosition(roomIds, since, em))
        sinceGroups.set(roomId, group);
    }
    const groups = [...needsStart.map((page) => page.startGroup), ...sinceGroups.values()].filter(
      (group): group is number => group !== null,
    );
    // Lazy loading needs of the members only the user and the timelines' senders.
    const loaded = lazy
      ? await this.state.loadGroupsWithMembers(
          groups,
          [userId, ...pages.flatMap((page) => page.visible.map((e) => e.event.sender))],
          em,
        )
      : await this.state.loadGroups(groups, em);
    const load = (group: number | null | undefined) =>
      group === null || group === undefined
        ? new Map<StateKeyTuple, string>()
        : (loaded.get(group) ?? new Map<StateKeyTuple, string>());

    const result = new Map<string, Map<StateKeyTuple, string>>();
    for (const page of pages) {
      const needed = lazy
        ? new Set(
            [userId, ...page.visible.map((e) => e.event.sender)].map((user) => stateKeyTuple('m.room.member', user)),
          )
        : undefined;
      const atStart = load(page.startGroup);
      const ids = new Map<StateKeyTuple, string>();
      if (unchanged(page)) {
        for (const tuple of needed ?? []) {
          const id = atStart.get(tuple);
          if (id !== undefined) ids.set(tuple, id);
        }
      } else {
        const atSince = full(page) ? undefined : load(sinceGroups.get(page.window.roomId));
        for (const [tuple, id] of atStart) {
          const member = splitStateKeyTuple(tuple).type === 'm.room.member';
          if (needed && member && !needed.has(tuple)) continue;
          if (atSince?.get(tuple) === id && !(needed && member)) continue;
          ids.set(tuple, id);
        }
      }
      result.set(page.window.roomId, ids);
    }
    return result;
  }
}

/** Whether a timeline filter can leave events of the window out (then the timeline does not show every change). */
function hidesEvents(filter: RoomEventFilter): boolean {
  return (
    filter.types !== undefined ||
    (filter.not_types?.length ?? 0) > 0 ||
    filter.senders !== undefined ||
    (filter.not_senders?.length ?? 0) > 0 ||
    filter.contains_url !== undefined
  );
}
