import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncReader, SlidingRoomReads } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { roomKey, SyncNotifier, userKey } from '../notifier/sync-notifier';
import { SyncPositions } from '../sync-positions';
import { decodeSyncToken, encodeSyncToken } from '../sync-token';
import { ConnectionRepository } from './connection.repository';
import type { ConnectionState, SentRoom, StickyParams } from './connection-state';
import { SlidingExtensions } from './extensions/sliding-extensions';
import { RoomFactsReader } from './room-facts';
import { orderRoomList } from './room-list';
import { matchRooms, roomsToSend } from './room-matching';
import { RoomResultsBuilder, type RoomToSend } from './room-results';
import { decodePos, encodePos, unknownPos } from './pos-token';
import type { RoomConfig, SlidingRequest } from './sliding-request';

/** Clients ask for 30 s; nobody needs a request held open longer than this. */
const MAX_TIMEOUT_MS = 600_000;

export interface SlidingDevice {
  readonly userId: string;
  readonly deviceId: string;
}

interface Computed {
  readonly body: JsonObject;
  readonly next: Omit<ConnectionState, 'connectionId'>;
  readonly empty: boolean;
  readonly watched: readonly string[];
}

/**
 * Simplified sliding sync (MSC4186, as Synapse serves it at
 * /_matrix/client/unstable/org.matrix.simplified_msc3575/sync): the rooms of the requested
 * list ranges and subscriptions that are new to the connection or moved since its `pos`, and the
 * extensions. With a `pos` and nothing to send, it waits on the notifier as /sync does.
 */
@Injectable()
export class SlidingSyncService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly positions: SyncPositions,
    private readonly roomSync: RoomSyncReader,
    private readonly reads: SlidingRoomReads,
    private readonly facts: RoomFactsReader,
    private readonly results: RoomResultsBuilder,
    private readonly extensions: SlidingExtensions,
    private readonly notifier: SyncNotifier,
    private readonly tx: TransactionRunner,
  ) {}

  async sync(device: SlidingDevice, request: SlidingRequest, signal?: AbortSignal): Promise<JsonObject> {
    const { connectionId, previous } = await this.tx.read((em) => this.resume(device, request, em));
    const deadline = Date.now() + Math.min(request.timeoutMs, MAX_TIMEOUT_MS);
    let mark = this.notifier.mark();
    let computed = await this.tx.readEachStatement((em) => this.compute(device, request, previous, em));
    while (previous && computed.empty && Date.now() < deadline) {
      const keys = [userKey(device.userId), ...computed.watched.map(roomKey)];
      const woken = await this.notifier.wait(keys, mark, deadline - Date.now(), signal);
      if (signal?.aborted || this.notifier.closed) break;
      mark = this.notifier.mark();
      computed = await this.tx.readEachStatement((em) => this.compute(device, request, previous, em));
      if (!woken) break;
    }
    const pos = await this.tx.read((em) => this.connections.savePosition({ connectionId, ...computed.next }, em));
    return { pos: encodePos(pos), ...computed.body };
  }

  /** The connection, and its state at `pos` (none when starting over); positions before `pos` are dropped. */
  private async resume(
    device: SlidingDevice,
    request: SlidingRequest,
    em: EntityManager,
  ): Promise<{ connectionId: number; previous?: ConnectionState }> {
    const owner = { ...device, connId: request.connId };
    if (request.pos === undefined) {
      const connectionId = await this.connections.connectionId(device.userId, device.deviceId, request.connId, em);
      await this.connections.dropAll(connectionId, em);
      return { connectionId };
    }
    const positionId = decodePos(request.pos);
    const previous = await this.connections.position(positionId, owner, em);
    if (!previous) throw unknownPos();
    await this.connections.dropBefore(previous.connectionId, positionId, em);
    return { connectionId: previous.connectionId, previous };
  }

  private async compute(
    device: SlidingDevice,
    request: SlidingRequest,
    previous: ConnectionState | undefined,
    em: EntityManager,
  ): Promise<Computed> {
    const since = previous ? decodeSyncToken(previous.token) : null;
    const { upTo, membershipsFingerprint } = await this.positions.current(device.userId, em);
    const memberships = await this.roomSync.memberships(device.userId, em, membershipsFingerprint);
    const byRoom = new Map(memberships.map((m) => [m.roomId, m]));
    const joined = memberships.filter((m) => m.membership === 'join').map((m) => m.roomId);
    const activity = await this.reads.lastActivity(joined, upTo.events, em);
    const sentBefore = previous?.rooms ?? {};
    const ordered = orderRoomList(memberships, activity, (roomId) => sentBefore[roomId] !== undefined);
    const facts = await this.facts.read(
      device.userId,
      ordered.map((room) => room.membership.roomId),
      new Set(joined),
      request.lists.values(),
      em,
    );

    const sticky = stickyParams(previous?.sticky, request);
    const { lists, listRooms, subscribedRooms, matched } = matchRooms(request, sticky, ordered, facts, byRoom);
    const { toSend, rooms } = roomsToSend(matched, byRoom, activity, facts.dmRooms, sentBefore, upTo.events);

    const built = await this.results.build(
      { userId: device.userId, deviceId: device.deviceId, liveAfter: since?.events ?? null, upTo: upTo.events },
      toSend,
      em,
    );
    const extensions = await this.extensions.build(
      {
        userId: device.userId,
        deviceId: device.deviceId,
        since,
        upTo,
        memberships,
        listRooms,
        subscribedRooms,
        initialRooms: wholeRooms(toSend, built.rooms),
      },
      sticky.extensions,
      em,
    );
    return {
      body: { lists, rooms: built.rooms, extensions: extensions.body as JsonObject },
      next: { token: encodeSyncToken(upTo), sticky, rooms: withLazySent(rooms, built.lazySent) },
      empty: toSend.length === 0 && !extensions.moved,
      watched: joined,
    };
  }
}

/** Subscriptions and extension configs carried over from the previous position, updated by this request. */
function stickyParams(previous: StickyParams | undefined, request: SlidingRequest): StickyParams {
  const subscriptions: Record<string, RoomConfig> = { ...(previous?.subscriptions ?? {}) };
  for (const roomId of request.unsubscribeRooms) delete subscriptions[roomId];
  for (const [roomId, config] of request.roomSubscriptions) subscriptions[roomId] = config;
  return { subscriptions, extensions: { ...(previous?.extensions ?? {}), ...request.extensions } };
}

function withLazySent(
  rooms: Record<string, SentRoom>,
  lazySent: ReadonlyMap<string, readonly string[]>,
): Record<string, SentRoom> {
  for (const [roomId, users] of lazySent) {
    const sent = rooms[roomId];
    if (sent) rooms[roomId] = { ...sent, lazyMembers: users };
  }
  return rooms;
}

/** Rooms sent whole in this response, with their timeline's event IDs (for the extensions). */
function wholeRooms(toSend: readonly RoomToSend[], results: Record<string, JsonObject>): Map<string, string[]> {
  const rooms = new Map<string, string[]>();
  for (const room of toSend) {
    if (!room.initial && !room.expandedTimeline) continue;
    const timeline = (results[room.membership.roomId]?.timeline ?? []) as JsonObject[];
    rooms.set(
      room.membership.roomId,
      timeline.flatMap((event) => (typeof event.event_id === 'string' ? [event.event_id] : [])),
    );
  }
  return rooms;
}
