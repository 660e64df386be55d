import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getRoomVersion, type JsonObject, type RoomVersion } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { toClientEvent, type Viewer } from '../events/client-event';
import { HistoryVisibility } from '../events/history-visibility';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { MessageSearchRepository, type SearchHit, type SearchPageRequest } from './message-search.repository';
import { groupResults } from './search-groups';
import { SearchVisibility } from './search-visibility';
import { toPrefixTsQuery, type SearchQuery } from './search-request';
import { encodePageToken } from '../messages/page-token';
import { decodeSearchToken, encodeSearchToken, type SearchCursor } from './search-token';

/** Pages read to fill one answer when history visibility hides hits; past that the client pages on. */
const MAX_PAGES_PER_REQUEST = 5;

interface Found {
  readonly hit: SearchHit;
  readonly stored: StoredEvent;
}

/**
 * POST /search, room_events (spec CS API "Server Side Search"): message bodies in the rooms the
 * user is or was in, each hit shown only if the user could see it then (HistoryVisibility), best
 * (`rank`) or newest (`recent`) first, with context, state and groups on request.
 */
@Injectable()
export class MessageSearchService {
  constructor(
    private readonly search: MessageSearchRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly visibility: HistoryVisibility,
    private readonly hitVisibility: SearchVisibility,
    private readonly tx: TransactionRunner,
  ) {}

  async roomEvents(viewer: Viewer, query: SearchQuery, nextBatch: string | undefined): Promise<JsonObject> {
    const after = nextBatch === undefined ? undefined : decodeSearchToken(nextBatch);
    if (query.words.length === 0) return { count: 0, highlights: [], results: [] };
    return this.tx.read(async (em) => {
      const { rooms, joined } = await this.roomsToSearch(viewer.userId, query, em);
      const request: SearchPageRequest = {
        rooms,
        tsQuery: toPrefixTsQuery(query.words),
        ...(query.senders ? { senders: query.senders } : {}),
        notSenders: query.notSenders,
        orderBy: query.orderBy,
        limit: query.limit,
        ...(after ? { after } : {}),
      };
      const { found, cursor } = await this.visibleHits(viewer.userId, joined, request, em);
      const versions = await this.roomVersions(found, em);
      const transactionIds = await this.events.transactionIds(
        viewer,
        found.map((f) => f.stored),
        em,
      );
      const results: JsonObject[] = [];
      for (const { hit, stored } of found) {
        const version = versions.get(hit.roomId) as RoomVersion;
        results.push({
          rank: hit.rank,
          result: toClientEvent(stored, version, { transactionIds }),
          ...(query.context ? { context: await this.context(viewer, stored, version, query.context, em) } : {}),
        });
      }
      const token = cursor && encodeSearchToken(cursor);
      return {
        count: await this.search.count(request, em),
        highlights: [...query.words],
        results,
        ...(query.includeState ? { state: await this.roomStates(viewer.userId, found, versions, em) } : {}),
        ...(query.groupBy.length > 0
          ? {
              groups: groupResults(
                found.map((f) => f.stored.event),
                query.groupBy,
                token,
              ),
            }
          : {}),
        ...(token ? { next_batch: token } : {}),
      };
    });
  }

  /** The rooms to look in (the user's, narrowed by the filter), and those of them the user is joined to now. */
  private async roomsToSearch(userId: string, query: SearchQuery, em: EntityManager) {
    const own = await this.search.searchableRooms(userId, em);
    const wanted = query.rooms ? new Set(query.rooms) : undefined;
    const excluded = new Set(query.notRooms);
    const chosen = own.filter(({ roomId }) => (wanted === undefined || wanted.has(roomId)) && !excluded.has(roomId));
    return {
      rooms: chosen.map((room) => room.roomId),
      joined: new Set(chosen.filter((room) => room.membership === 'join').map((room) => room.roomId)),
    };
  }

  /**
   * Reads pages until `limit` hits the user may see are found or the matches run out; the cursor
   * is the last hit looked at, or undefined when nothing is left.
   */
  private async visibleHits(
    userId: string,
    joined: ReadonlySet<string>,
    request: SearchPageRequest,
    em: EntityManager,
  ): Promise<{ found: Found[]; cursor: SearchCursor | undefined }> {
    const found: Found[] = [];
    let after = request.after;
    for (let pages = 0; pages < MAX_PAGES_PER_REQUEST; pages++) {
      const hits = await this.search.page({ ...request, ...(after ? { after } : {}) }, em);
      const visible = await this.visibleIds(userId, joined, hits, em);
      for (const hit of hits) {
        after = { rank: hit.rank, stream: hit.stream };
        const stored = visible.get(hit.eventId);
        if (stored) found.push({ hit, stored });
        if (found.length === request.limit) return { found, cursor: after };
      }
      if (hits.length < request.limit) return { found, cursor: undefined };
    }
    return { found, cursor: after };
  }

  private async visibleIds(
    userId: string,
    joined: ReadonlySet<string>,
    hits: readonly SearchHit[],
    em: EntityManager,
  ): Promise<Map<string, StoredEvent>> {
    const loaded = await this.events.findMany(
      hits.map((hit) => hit.eventId),
      em,
    );
    const visible = await this.hitVisibility.filter(userId, joined, [...loaded.values()], em);
    return new Map(visible.map((stored) => [stored.event.event_id, stored]));
  }

  private async roomVersions(found: readonly Found[], em: EntityManager): Promise<Map<string, RoomVersion>> {
    const names = await this.search.roomVersions([...new Set(found.map((f) => f.hit.roomId))], em);
    const versions = new Map<string, RoomVersion>();
    for (const [roomId, name] of names) {
      const version = getRoomVersion(name);
      if (version) versions.set(roomId, version);
    }
    return versions;
  }

  private async context(
    viewer: Viewer,
    stored: StoredEvent,
    version: RoomVersion,
    limits: NonNullable<SearchQuery['context']>,
    em: EntityManager,
  ): Promise<JsonObject> {
    const roomId = stored.event.room_id;
    const around = async (from: number, dir: 'b' | 'f', limit: number) =>
      limit === 0
        ? []
        : this.visibility.filter(viewer.userId, roomId, await this.events.page(roomId, from, dir, limit, em), em);
    const before = await around(stored.streamOrdering - 1, 'b', limits.before);
    const after = await around(stored.streamOrdering, 'f', limits.after);
    const client = (item: StoredEvent) => toClientEvent(item, version);
    return {
      start: encodePageToken((before.at(-1)?.streamOrdering ?? stored.streamOrdering) - 1),
      end: encodePageToken(after.at(-1)?.streamOrdering ?? stored.streamOrdering),
      events_before: before.map(client),
      events_after: after.map(client),
      ...(limits.includeProfile
        ? { profile_info: await this.profiles(roomId, [stored, ...before, ...after], em) }
        : {}),
    };
  }

  /** The senders' display names and avatars as the room's current member events give them. */
  private async profiles(roomId: string, items: readonly StoredEvent[], em: EntityManager): Promise<JsonObject> {
    const profiles: JsonObject = {};
    for (const sender of new Set(items.map((item) => item.event.sender))) {
      const id = await this.state.currentStateEventId(roomId, 'm.room.member', sender, em);
      const content = id === undefined ? undefined : (await this.events.find(id, em))?.event.content;
      profiles[sender] = {
        ...(typeof content?.displayname === 'string' ? { displayname: content.displayname } : {}),
        ...(typeof content?.avatar_url === 'string' ? { avatar_url: content.avatar_url } : {}),
      };
    }
    return profiles;
  }

  /** include_state: the current state of each room with a result that the user is still in. */
  private async roomStates(
    userId: string,
    found: readonly Found[],
    versions: ReadonlyMap<string, RoomVersion>,
    em: EntityManager,
  ): Promise<JsonObject> {
    const states: JsonObject = {};
    for (const roomId of new Set(found.map((f) => f.hit.roomId))) {
      if ((await this.state.membership(roomId, userId, em)) !== 'join') continue;
      const ids = await this.state.currentStateIds(roomId, em);
      const loaded = await this.events.findMany([...ids.values()], em);
      states[roomId] = [...loaded.values()].map((item) => toClientEvent(item, versions.get(roomId) as RoomVersion));
    }
    return states;
  }
}
