import { Inject, Injectable } from '@nestjs/common';
import { PresenceService } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncReader } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { FiltersService } from './filters/filters.service';
import type { SyncFilter } from './filters/sync-filter';
import { roomKey, SyncNotifier, userKey } from './notifier/sync-notifier';
import { DeviceListsSectionBuilder } from './sections/device-lists-section';
import { WaitPoints } from './notifier/wait-points';
import { SyncPositions } from './sync-positions';
import { SYNC_STREAMS, type SyncPass, type SyncStream } from './streams/sync-stream';
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
  /** Whether the token holds every stream's position as read (a to-device batch may hold less). */
  readonly whole: boolean;
}

/**
 * GET /sync (spec CS API "Syncing"): read everything that moved for the user between the
 * client's token and now; when nothing did, wait on the notifier until something does or the
 * timeout passes, then read again.
 */
@Injectable()
export class SyncService {
  private readonly waitPoints = new WaitPoints();

  constructor(
    private readonly filters: FiltersService,
    @Inject(SYNC_STREAMS) private readonly streams: readonly SyncStream[],
    private readonly deviceListsSection: DeviceListsSectionBuilder,
    private readonly rooms: RoomSyncReader,
    private readonly positions: SyncPositions,
    private readonly notifier: SyncNotifier,
    private readonly tx: TransactionRunner,
    private readonly presence: PresenceService,
  ) {}

  async sync(userId: string, deviceId: string, request: SyncRequest): Promise<JsonObject> {
    if (request.setPresence !== undefined && !PRESENCE_STATES.has(request.setPresence))
      throw MatrixError.invalidParam('set_presence must be online, offline or unavailable');
    const since = request.since === undefined ? null : decodeSyncToken(request.since);
    const filter = await this.filters.resolve(userId, request.filter);
    await this.presence.syncing(userId, request.setPresence);
    const deadline = Date.now() + Math.min(Math.max(request.timeoutMs, 0), MAX_TIMEOUT_MS);

    // An initial sync or full_state answers at once; an incremental one waits for news. After
    // a wait that ends empty, one more read gives the client a current token. A pass that would
    // wait again if it found nothing is not `answering`: it skips what only answers need.
    const device = { userId, deviceId };
    const mayWait = () => since !== null && !request.fullState && Date.now() < deadline;
    let answering = !mayWait();
    // Asked again with the token just given, the request waits where the last answer left off.
    const resumed =
      answering || request.since === undefined ? undefined : this.waitPoints.resume(userId, deviceId, request.since);
    let mark = resumed?.mark ?? this.notifier.mark();
    let computed = resumed
      ? { body: { next_batch: request.since as string }, empty: true, watched: resumed.watched, whole: false }
      : await this.compute(device, since, filter, request.fullState, answering);
    while (computed.empty && !answering) {
      const keys = [userKey(userId), ...computed.watched.map(roomKey)];
      const woken = await this.notifier.wait(keys, mark, deadline - Date.now(), request.signal);
      // A client that hung up needs no answer; one let go by a shutdown gets the last one read.
      if (request.signal?.aborted || this.notifier.closed) break;
      mark = this.notifier.mark();
      answering = !woken || !mayWait();
      computed = await this.compute(device, since, filter, false, answering, woken);
    }
    if (computed.whole)
      this.waitPoints.keep(userId, deviceId, computed.body.next_batch as string, { mark, watched: computed.watched });
    await this.presence.synced(userId);
    return computed.body;
  }

  /** GET /keys/changes: users whose device lists changed between two sync tokens, and users no longer shared with. */
  async keyChanges(userId: string, from: string, to: string): Promise<{ changed: string[]; left: string[] }> {
    const since = decodeSyncToken(from);
    const upTo = decodeSyncToken(to);
    return this.tx.read(async (em) => {
      const memberships = await this.rooms.memberships(userId, em);
      return this.deviceListsSection.build({ userId, since, upTo, memberships }, em);
    });
  }

  /**
   * Reads without a transaction, each statement on whichever pooled connection is free: every
   * stream is read up to the positions taken first, so later commits cannot slip in. Holding no
   * connection between statements lets every sync one message wakes join the same gathered and
   * shared reads, instead of as many as there are connections. `answering`: the response is sent
   * even when empty; otherwise an empty one is only waited on, and streams read only for answers are not.
   * `woken`: something committed for this request since its last pass (most often an event), so the
   * rooms' activity, the read after the positions, is read beside them (it needs only the token).
   */
  private async compute(
    device: { userId: string; deviceId: string },
    since: SyncToken | null,
    filter: SyncFilter,
    fullState: boolean,
    answering: boolean,
    woken = false,
  ): Promise<Computed> {
    return this.tx.readEachStatement(async (em) => {
      const activityAhead =
        woken && since !== null ? this.rooms.activityAhead(device.userId, since.events, em) : undefined;
      const { upTo, membershipsFingerprint, keyCounts } = await this.positions.current(
        device.userId,
        em,
        device.deviceId,
      );
      const pass: SyncPass = {
        ...device,
        since,
        upTo,
        filter,
        fullState,
        membershipsFingerprint,
        ...(activityAhead ? { activityAhead } : {}),
        ...(keyCounts ? { keyCounts } : {}),
        roomAccountData: new Map(),
      };
      const response: JsonObject = {};
      let moved = false;
      const watched: string[] = [];
      const forAnswers: SyncStream[] = [];
      for (const stream of this.streams) {
        if (stream.onlyWhenAnswering) {
          forAnswers.push(stream);
          continue;
        }
        const contribution = await stream.contribute(pass, response, em);
        moved ||= contribution.moved;
        watched.push(...(contribution.watchedRooms ?? []));
      }
      if (moved || answering) for (const stream of forAnswers) await stream.contribute(pass, response, em);
      const nextBatch = encodeSyncToken(pass.upTo);
      const whole = nextBatch === encodeSyncToken(upTo);
      return { body: { next_batch: nextBatch, ...response }, empty: !moved, watched, whole };
    });
  }
}
