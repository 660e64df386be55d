import { projectRoomEvents } from './filters/event-fields';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDataService } from '@hearth/accounts';
import { KeysService, ToDeviceService } from '@hearth/e2ee';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { PushRulesService, RoomSyncService, TypingService } from '@hearth/rooms';
import { readStreamPositions, TransactionRunner } from '@hearth/storage';
import { FiltersService } from './filters/filters.service';
import { filterEvents, type SyncFilter } from './filters/sync-filter';
import { roomKey, SyncNotifier, userKey } from './notifier/sync-notifier';
import { DeviceListsSectionBuilder } from './sections/device-lists-section';
import { RoomsSectionBuilder, type RoomsSection } from './sections/rooms-section';
import { decodeSyncToken, encodeSyncToken, type SyncToken } from './sync-token';

export interface SyncRequest {
  readonly since?: string;
  readonly filter?: string;
  readonly fullState: boolean;
  readonly timeoutMs: number;
  readonly setPresence?: string;
  /** Aborted when the client goes away, so a waiting request lets go at once. */
  readonly signal?: AbortSignal;
}

const PRESENCE_STATES = new Set(['online', 'offline', 'unavailable']);
/** Clients ask for 30 s; nobody needs a request held open longer than this. */
const MAX_TIMEOUT_MS = 600_000;

interface Computed {
  readonly body: JsonObject;
  readonly empty: boolean;
  readonly watched: readonly string[];
}

/**
 * GET /sync (spec CS API "Syncing"): read everything that moved for the user between the
 * client's token and now; when nothing did, wait on the notifier until something does or the
 * timeout passes, then read again.
 */
@Injectable()
export class SyncService {
  constructor(
    private readonly filters: FiltersService,
    private readonly roomsSection: RoomsSectionBuilder,
    private readonly deviceListsSection: DeviceListsSectionBuilder,
    private readonly roomSync: RoomSyncService,
    private readonly typing: TypingService,
    private readonly accountData: AccountDataService,
    private readonly pushRules: PushRulesService,
    private readonly toDevice: ToDeviceService,
    private readonly keys: KeysService,
    private readonly notifier: SyncNotifier,
    private readonly tx: TransactionRunner,
  ) {}

  async sync(userId: string, deviceId: string, request: SyncRequest): Promise<JsonObject> {
    if (request.setPresence !== undefined && !PRESENCE_STATES.has(request.setPresence)) throw MatrixError.invalidParam('set_presence must be online, offline or unavailable');
    const since = request.since === undefined ? null : decodeSyncToken(request.since);
    const filter = await this.filters.resolve(userId, request.filter);
    const deadline = Date.now() + Math.min(Math.max(request.timeoutMs, 0), MAX_TIMEOUT_MS);

    let mark = this.notifier.mark();
    let computed = await this.compute({ userId, deviceId }, since, filter, request.fullState);
    // An initial sync or full_state answers at once; an incremental one waits for news. After
    // a wait that ends empty, one more read gives the client a current token.
    while (since !== null && !request.fullState && computed.empty && Date.now() < deadline) {
      const keys = [userKey(userId), ...computed.watched.map(roomKey)];
      const woken = await this.notifier.wait(keys, mark, deadline - Date.now(), request.signal);
      // A client that hung up needs no answer; one let go by a shutdown gets the last one read.
      if (request.signal?.aborted || this.notifier.closed) break;
      mark = this.notifier.mark();
      computed = await this.compute({ userId, deviceId }, since, filter, false);
      if (!woken) break;
    }
    return computed.body;
  }

  /** GET /keys/changes: users whose device lists changed between two sync tokens, and users no longer shared with. */
  async keyChanges(userId: string, from: string, to: string): Promise<{ changed: string[]; left: string[] }> {
    const since = decodeSyncToken(from);
    const upTo = decodeSyncToken(to);
    return this.tx.read(async (em) => {
      const memberships = await this.roomSync.memberships(userId, em);
      return this.deviceListsSection.build({ userId, since, upTo, memberships }, em);
    });
  }

  /**
   * Reads on one connection without a transaction: every stream is read up to the positions
   * taken first, so later commits cannot slip in.
   */
  private async compute(device: { userId: string; deviceId: string }, since: SyncToken | null, filter: SyncFilter, fullState: boolean): Promise<Computed> {
    const { userId } = device;
    return this.tx.read(async (em) => {
      const current = await this.currentToken(userId, em);
      const toDevice = await this.toDevice.forSync(userId, device.deviceId, since?.toDevice ?? null, current.toDevice, em);
      const upTo = { ...current, toDevice: toDevice.position };
      const keyCounts = await this.keys.countsFor(userId, device.deviceId, em);
      const changed = await this.accountData.changedSince(userId, since?.accountData ?? 0, upTo.accountData, em);
      const readMarkers = await this.roomSync.readMarkersSince(userId, since?.receipts ?? 0, upTo.receipts, em);
      const roomAccountData = new Map<string, JsonObject[]>();
      for (const entry of changed.filter((e) => e.roomId !== '')) addTo(roomAccountData, entry.roomId, { type: entry.type, content: entry.content as JsonObject });
      for (const [roomId, eventId] of readMarkers) addTo(roomAccountData, roomId, { type: 'm.fully_read', content: { event_id: eventId } });

      const global: JsonObject[] = changed.filter((e) => e.roomId === '').map((e) => ({ type: e.type, content: e.content as JsonObject }));
      if (since === null || upTo.pushRules > since.pushRules) {
        const { ruleset } = await this.pushRules.versionedRuleset(userId, em);
        global.push({ type: 'm.push_rules', content: { global: ruleset as unknown as JsonObject } });
      }
      const rooms = await this.roomsSection.build({ userId, deviceId: device.deviceId, since, upTo, filter, fullState, roomAccountData }, em);
      if (filter.event_fields) for (const section of [rooms.join, rooms.leave]) projectRoomEvents(section, filter.event_fields);
      const accountData = filterEvents(filter.account_data, global);
      const deviceLists = since === null ? { changed: [], left: [] } : await this.deviceListsSection.build({ userId, since, upTo, memberships: rooms.memberships }, em);
      return {
        body: {
          next_batch: encodeSyncToken(upTo),
          account_data: { events: accountData },
          to_device: { events: toDevice.events as unknown as JsonObject[] },
          device_lists: deviceLists,
          device_one_time_keys_count: keyCounts.oneTimeKeyCounts,
          device_unused_fallback_key_types: keyCounts.unusedFallbackTypes,
          presence: { events: [] },
          rooms: { join: rooms.join, invite: rooms.invite, leave: rooms.leave, knock: rooms.knock },
        },
        empty: accountData.length === 0 && toDevice.events.length === 0 && deviceLists.changed.length === 0 && deviceLists.left.length === 0 && isEmpty(rooms),
        watched: rooms.watched,
      };
    });
  }

  private async currentToken(userId: string, em: EntityManager): Promise<SyncToken> {
    const typing = this.typing.streamPosition;
    const positions = await readStreamPositions(em);
    const pushRules = await this.pushRules.version(userId, em);
    return {
      events: positions.get('events') ?? 0,
      accountData: positions.get('account_data') ?? 0,
      receipts: positions.get('receipts') ?? 0,
      typing,
      pushRules,
      toDevice: positions.get('to_device') ?? 0,
      deviceLists: positions.get('device_lists') ?? 0,
    };
  }
}

function addTo(map: Map<string, JsonObject[]>, key: string, value: JsonObject): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

function isEmpty(rooms: RoomsSection): boolean {
  return [rooms.join, rooms.invite, rooms.leave, rooms.knock].every((section) => Object.keys(section).length === 0);
}
