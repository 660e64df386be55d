import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import {
  canonicalJson,
  getRoomVersion,
  userPowerLevel,
  stateKeyTuple,
  type JsonObject,
  type RoomVersion,
} from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { toClientEvent, type Viewer } from '../events/client-event';
import type { EventDraft } from '../events/event-draft';
import { EventWriter } from '../events/event-writer.service';
import { RoomWriteQueue } from '../events/room-write-queue';
import { SendBatcher } from '../events/send-batcher';
import { HistoryVisibility } from '../events/history-visibility';
import { roomErrors } from '../room-errors';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { filterToSql, type RoomEventFilter } from './event-filter';
import { decodePageToken, encodePageToken } from './page-token';

export interface Sender {
  readonly userId: string;
  readonly deviceId: string;
}

/** Sending and reading room events for local users, with history visibility on every read. */
@Injectable()
export class RoomEventsService {
  constructor(
    private readonly writer: EventWriter,
    private readonly batcher: SendBatcher,
    private readonly events: EventRepository,
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
    private readonly visibility: HistoryVisibility,
    private readonly tx: TransactionRunner,
    private readonly roomWrites: RoomWriteQueue,
  ) {}

  /** PUT /send and PUT /redact: idempotent per device and transaction ID. */
  async sendWithTxn(
    roomId: string,
    sender: Sender,
    txnId: string,
    draft: Omit<EventDraft, 'sender'>,
  ): Promise<{ event_id: string }> {
    const bodyHash = createHash('sha256')
      .update(canonicalJson({ roomId, ...draft }))
      .digest('base64url');
    const txn = { userId: sender.userId, deviceId: sender.deviceId, txnId, bodyHash };
    const { eventId } = await this.batcher.send({ roomId, draft: { ...draft, sender: sender.userId }, txn });
    return { event_id: eventId };
  }

  async sendState(
    roomId: string,
    sender: string,
    type: string,
    stateKey: string,
    content: JsonObject,
  ): Promise<{ event_id: string }> {
    const { event } = await this.roomWrites.transaction(roomId, (em) =>
      this.writer.write(roomId, { type, state_key: stateKey, content, sender }, em),
    );
    return { event_id: event.event_id };
  }

  /** Redacting someone else's event needs the room's redact power level (spec "Redactions"). */
  async redact(roomId: string, sender: Sender, eventId: string, txnId: string, reason: string | undefined) {
    await this.tx.run(async (em) => {
      const target = await this.events.find(eventId, em);
      if (!target || target.event.room_id !== roomId) throw MatrixError.notFound('Event not found');
      if (target.event.sender !== sender.userId) await this.assertCanRedactOthers(roomId, sender.userId, em);
    });
    return this.sendWithTxn(roomId, sender, txnId, {
      type: 'm.room.redaction',
      redacts: eventId,
      content: reason === undefined ? {} : { reason },
    });
  }

  async event(roomId: string, viewer: Viewer, eventId: string): Promise<JsonObject> {
    const { userId } = viewer;
    return this.tx.run(async (em) => {
      const version = await this.visibleRoomVersion(roomId, userId, em);
      const stored = await this.events.find(eventId, em);
      if (!stored || stored.event.room_id !== roomId) throw MatrixError.notFound('Event not found');
      const [visible] = await this.visibility.filter(userId, roomId, [stored], em);
      if (!visible) throw MatrixError.notFound('Event not found');
      return toClientEvent(visible, version, {
        transactionIds: await this.events.transactionIds(viewer, [visible], em),
      });
    });
  }

  /** GET /messages: stream-ordered pages; tokens are positions, so they stay valid forever. */
  async messages(
    roomId: string,
    viewer: Viewer,
    page: { from?: string; dir: 'b' | 'f'; limit: number; filter?: RoomEventFilter },
  ) {
    const { userId } = viewer;
    return this.tx.run(async (em) => {
      const version = await this.visibleRoomVersion(roomId, userId, em);
      const from =
        page.from === undefined ? (page.dir === 'b' ? Number.MAX_SAFE_INTEGER : 0) : decodePageToken(page.from);
      const batch = await this.events.page(roomId, from, page.dir, page.limit, em, filterToSql(page.filter ?? {}, 4));
      const visible = await this.visibility.filter(userId, roomId, batch, em);
      const last = batch.at(-1);
      // The end token sits just past the last event read, on the side we were moving towards.
      const end = last && (page.dir === 'b' ? last.streamOrdering - 1 : last.streamOrdering);
      const state = page.filter?.lazy_load_members ? await this.sendersMembership(visible, version, em) : [];
      const transactionIds = await this.events.transactionIds(viewer, visible, em);
      return {
        start: page.from ?? encodePageToken(from),
        chunk: visible.map((stored) => toClientEvent(stored, version, { transactionIds })),
        ...(end !== undefined && batch.length === page.limit ? { end: encodePageToken(end) } : {}),
        ...(page.filter?.lazy_load_members ? { state } : {}),
      };
    });
  }

  /** GET /context: the event, what surrounds it, and the state after the last event returned. */
  async context(roomId: string, viewer: Viewer, eventId: string, limit: number) {
    const { userId } = viewer;
    return this.tx.run(async (em) => {
      const version = await this.visibleRoomVersion(roomId, userId, em);
      const stored = await this.events.find(eventId, em);
      if (
        !stored ||
        stored.event.room_id !== roomId ||
        (await this.visibility.filter(userId, roomId, [stored], em)).length === 0
      ) {
        throw MatrixError.notFound('Event not found');
      }
      const half = Math.floor(limit / 2);
      const beforeLimit = limit - half;
      const before = await this.visibility.filter(
        userId,
        roomId,
        await this.events.page(roomId, stored.streamOrdering - 1, 'b', beforeLimit, em),
        em,
      );
      const after = await this.visibility.filter(
        userId,
        roomId,
        await this.events.page(roomId, stored.streamOrdering, 'f', half, em),
        em,
      );
      const last = after.at(-1) ?? stored;
      const group = await this.events.stateGroupAfter(last.event.event_id, em);
      const stateIds =
        group === null || group === undefined ? new Map<string, string>() : await this.state.loadGroup(group, em);
      const stateEvents = await this.events.findMany([...stateIds.values()], em);
      const transactionIds = await this.events.transactionIds(viewer, [stored, ...before, ...after], em);
      const client = (item: StoredEvent) => toClientEvent(item, version, { transactionIds });
      return {
        event: client(stored),
        events_before: before.map(client),
        events_after: after.map(client),
        start: encodePageToken((before.at(-1)?.streamOrdering ?? stored.streamOrdering) - 1),
        end: encodePageToken(last.streamOrdering),
        state: [...stateEvents.values()].map(client),
      };
    });
  }

  /**
   * lazy_load_members: the member events of the chunk's senders, as they stood at the chunk's
   * earliest event, so a client can render the page without the full member list.
   */
  private async sendersMembership(
    chunk: readonly StoredEvent[],
    version: RoomVersion,
    em: EntityManager,
  ): Promise<JsonObject[]> {
    const earliest = chunk.reduce<StoredEvent | undefined>(
      (a, b) => (a === undefined || b.streamOrdering < a.streamOrdering ? b : a),
      undefined,
    );
    const group = earliest?.stateGroupBefore;
    if (group === null || group === undefined) return [];
    const senders = [...new Set(chunk.map((item) => item.event.sender))];
    const ids = await this.state.loadGroup(
      group,
      em,
      senders.map((sender) => stateKeyTuple('m.room.member', sender)),
    );
    const loaded = await this.events.findMany([...ids.values()], em);
    return [...loaded.values()].map((stored) => toClientEvent(stored, version));
  }

  /** The room's current state for members; people who left see it as it was when they left. */
  async currentState(roomId: string, userId: string): Promise<JsonObject[]> {
    return this.tx.run(async (em) => {
      const version = await this.roomVersionFor(roomId, em);
      const ids = await this.stateVisibleTo(roomId, userId, em);
      const loaded = await this.events.findMany([...ids.values()], em);
      return [...loaded.values()].map((stored) => toClientEvent(stored, version));
    });
  }

  async stateEvent(roomId: string, userId: string, type: string, stateKey: string): Promise<JsonObject> {
    return this.tx.run(async (em) => {
      const ids = await this.stateVisibleTo(roomId, userId, em);
      const id = ids.get(stateKeyTuple(type, stateKey));
      const stored = id === undefined ? undefined : await this.events.find(id, em);
      if (!stored) throw MatrixError.notFound('State event not found');
      return stored.redactedBy ? {} : stored.event.content;
    });
  }

  /** Members see the current state, as does anyone when history is world_readable; people who left see it as they left it. */
  private async stateVisibleTo(roomId: string, userId: string, em: EntityManager) {
    const membership = await this.state.membership(roomId, userId, em);
    if (membership === 'join' || (await this.isWorldReadable(roomId, em)))
      return this.state.currentStateIds(roomId, em);
    if (membership === 'leave' || membership === 'ban') {
      const memberEventId = await this.state.currentStateEventId(roomId, 'm.room.member', userId, em);
      const group = memberEventId === undefined ? undefined : await this.events.stateGroupAfter(memberEventId, em);
      if (group !== undefined && group !== null) return this.state.loadGroup(group, em);
    }
    throw roomErrors.notInRoom();
  }

  /** Members, and former members for what they could see, may read; everyone else is refused alike. */
  private async visibleRoomVersion(roomId: string, userId: string, em: EntityManager): Promise<RoomVersion> {
    const membership = await this.state.membership(roomId, userId, em);
    const worldReadable = await this.isWorldReadable(roomId, em);
    if (membership === undefined && !worldReadable) throw roomErrors.notInRoom();
    return this.roomVersionFor(roomId, em);
  }

  private async isWorldReadable(roomId: string, em: EntityManager): Promise<boolean> {
    const id = await this.state.currentStateEventId(roomId, 'm.room.history_visibility', '', em);
    const stored = id === undefined ? undefined : await this.events.find(id, em);
    return stored?.event.content.history_visibility === 'world_readable';
  }

  private async roomVersionFor(roomId: string, em: EntityManager): Promise<RoomVersion> {
    const room = await this.rooms.find(roomId, em);
    const version = room && getRoomVersion(room.roomVersion);
    if (!version) throw roomErrors.notInRoom();
    return version;
  }

  private async assertCanRedactOthers(roomId: string, userId: string, em: EntityManager): Promise<void> {
    const version = await this.roomVersionFor(roomId, em);
    const state = await this.state.currentState(roomId, em, [
      stateKeyTuple('m.room.create', ''),
      stateKeyTuple('m.room.power_levels', ''),
    ]);
    const powerLevels = state.get(stateKeyTuple('m.room.power_levels', ''))?.content;
    const required = typeof powerLevels?.redact === 'number' ? powerLevels.redact : 50;
    if (userPowerLevel(userId, state, version) < required)
      throw MatrixError.forbidden("You may not redact other people's events here");
  }
}
