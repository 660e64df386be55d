import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidUserId, parseUserId, type JsonObject } from '@hearth/protocol';
import { RoomSyncReader } from '@hearth/rooms';
import { ChangeBus, TransactionRunner, type PresenceChange } from '@hearth/storage';
import { ROOM_SHARING, type RoomSharing } from '../profiles/room-sharing';
import { PresenceRepository } from './presence.repository';
import {
  PRESENCE_STATES,
  PRESENCE_TIMING,
  presenceContent,
  presenceEvent,
  type PresenceState,
  type StoredPresence,
} from './presence-state';

/** A status message longer than this is refused (Synapse sets none; a status is a line, not a letter). */
export const MAX_STATUS_MSG_CHARS = 1024;

/** One entry of an m.presence EDU's `push`, as the federation lib checked it. */
export interface RemotePresence {
  readonly user_id: string;
  readonly presence: PresenceState;
  readonly last_active_ago?: number;
  readonly status_msg?: string | null;
  readonly currently_active?: boolean;
}

/**
 * Presence (spec CS API "Presence"), off unless the operator turns it on (`presence_enabled`):
 * it tells others when someone uses their devices. Off, GET answers "offline" for everyone and
 * PUT checks its body and stores nothing, as Synapse does; nothing reaches /sync or other servers.
 * On, /sync and PUT set our users' state, a sweep turns those who stopped syncing offline, and
 * each change is announced on the bus (sync, and m.presence EDUs for our users).
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ROOM_SHARING) private readonly sharing: RoomSharing,
    private readonly presence: PresenceRepository,
    private readonly roomSync: RoomSyncReader,
    private readonly bus: ChangeBus,
    private readonly tx: TransactionRunner,
  ) {}

  get enabled(): boolean {
    return this.config.accounts.presenceEnabled;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn(`presence sweep failed: ${String(error)}`));
    }, PRESENCE_TIMING.sweepEveryMs);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
  }

  /** GET /presence/{userId}/status */
  async status(viewer: string, userId: string): Promise<JsonObject> {
    if (!isValidUserId(userId)) throw MatrixError.invalidParam('Invalid user ID');
    if (!this.enabled) return { presence: 'offline' };
    if (viewer !== userId && !(await this.sharing.shareARoom(viewer, userId)))
      throw MatrixError.forbidden('You can only see the presence of people you share a room with');
    const stored = await this.presence.find(userId);
    return stored ? presenceContent(stored, Date.now()) : { presence: 'offline' };
  }

  /** PUT /presence/{userId}/status */
  async set(requester: string, userId: string, body: unknown): Promise<void> {
    if (requester !== userId) throw MatrixError.forbidden('You can only set your own presence');
    const { state, statusMsg } = parseStatus(body);
    if (!this.enabled) return;
    const now = Date.now();
    const previous = await this.presence.find(userId);
    await this.change(
      {
        userId,
        state,
        statusMsg: statusMsg === undefined ? (previous?.statusMsg ?? null) : statusMsg,
        lastActiveTs: state === 'online' ? now : (previous?.lastActiveTs ?? now),
        currentlyActive: state === 'online',
      },
      'local',
      now,
    );
  }

  /**
   * A /sync with `set_presence` (online by default): the client's word on whether its user is
   * active. Writes only when the state changes; otherwise marks the sync, at most every few seconds.
   */
  async syncing(userId: string, setPresence: string | undefined): Promise<void> {
    if (!this.enabled) return;
    const state = (setPresence ?? 'online') as PresenceState;
    const now = Date.now();
    const previous = await this.presence.find(userId);
    // An offline sync (a client in the background) keeps the user seen as syncing, and nothing more.
    const wanted = state === 'offline' ? (previous?.state ?? 'offline') : state;
    if (previous && previous.state === wanted) {
      await this.presence.touch(userId, now, PRESENCE_TIMING.syncTouchMs, wanted === 'online');
      return;
    }
    await this.change(
      {
        userId,
        state: wanted,
        statusMsg: previous?.statusMsg ?? null,
        lastActiveTs: wanted === 'online' ? now : (previous?.lastActiveTs ?? now),
        currentlyActive: wanted === 'online',
      },
      'local',
      now,
    );
  }

  /** A sync answered: the client is still there (it comes back at once). */
  async synced(userId: string): Promise<void> {
    if (this.enabled) await this.presence.touch(userId, Date.now(), PRESENCE_TIMING.syncTouchMs, false);
  }

  /**
   * An m.presence EDU from `origin`: kept for its own users who are joined to a room here, so
   * that our users who share it see them; anything else is dropped.
   */
  async receiveRemote(origin: string, pushes: readonly RemotePresence[]): Promise<void> {
    if (!this.enabled) return;
    const now = Date.now();
    for (const push of pushes) {
      if (!isValidUserId(push.user_id) || parseUserId(push.user_id).serverName !== origin) continue;
      if ((await this.joinedRooms(push.user_id)).length === 0) continue;
      await this.change(
        {
          userId: push.user_id,
          state: push.presence,
          statusMsg: push.status_msg ?? null,
          lastActiveTs: now - Math.max(0, push.last_active_ago ?? 0),
          currentlyActive: push.currently_active ?? false,
        },
        'remote',
        null,
      );
    }
  }

  /** For /sync: presence events of the user and everyone sharing a joined room with them, moved in (since, upTo]. */
  async forSync(userId: string, since: number | null, upTo: number, em: EntityManager): Promise<JsonObject[]> {
    if (!this.enabled) return [];
    const people = await this.roomSync.usersSharingRooms(userId, em);
    people.add(userId);
    const rows =
      since === null
        ? await this.presence.current([...people], upTo, em)
        : await this.presence.changedSince([...people], since, upTo, em);
    const now = Date.now();
    return rows.map((row) => presenceEvent(row, now));
  }

  /** Our users who stopped syncing go offline; those online but idle go unavailable. `now` moves for tests. */
  async sweep(now = Date.now()): Promise<void> {
    const quiet = await this.presence.goneQuiet(`:${this.config.serverName}`, now, PRESENCE_TIMING);
    for (const user of quiet) await this.change({ ...user, state: user.next, currentlyActive: false }, 'local', null);
  }

  private async change(presence: StoredPresence, source: PresenceChange['source'], syncTs: number | null) {
    const position = await this.presence.write(presence, syncTs);
    const roomIds = await this.joinedRooms(presence.userId);
    // One statement outside a transaction: committed once it returned.
    this.bus.publish({
      stream: 'presence',
      position,
      userIds: [presence.userId],
      roomIds,
      presence: { ...presence, source },
    });
  }

  private async joinedRooms(userId: string): Promise<string[]> {
    const memberships = await this.tx.read((em) => this.roomSync.memberships(userId, em));
    return memberships.filter((m) => m.membership === 'join').map((m) => m.roomId);
  }
}

function parseStatus(body: unknown): { state: PresenceState; statusMsg: string | null | undefined } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw MatrixError.badJson('The body must be a JSON object');
  const { presence, status_msg: statusMsg } = body as Record<string, unknown>;
  if (presence === undefined) throw MatrixError.missingParam('presence is required');
  if (typeof presence !== 'string' || !PRESENCE_STATES.has(presence))
    throw MatrixError.invalidParam('presence must be online, unavailable or offline');
  if (statusMsg !== undefined && statusMsg !== null && typeof statusMsg !== 'string')
    throw MatrixError.badJson('status_msg must be a string');
  if (typeof statusMsg === 'string' && statusMsg.length > MAX_STATUS_MSG_CHARS)
    throw MatrixError.invalidParam(`status_msg must be at most ${MAX_STATUS_MSG_CHARS} characters`);
  return { state: presence as PresenceState, statusMsg };
}
