import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { getRoomVersion, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { toClientEvent, type Viewer } from '../events/client-event';
import { HistoryVisibility } from '../events/history-visibility';
import { roomErrors } from '../room-errors';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { RelationRepository } from '../storage/relation.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { decodePageToken, encodePageToken } from './page-token';

export interface RelationsPage {
  readonly relType?: string;
  readonly eventType?: string;
  readonly from?: string;
  readonly dir: 'b' | 'f';
  readonly limit: number;
}

/** GET /relations and GET /threads, with the same visibility as every other read. */
@Injectable()
export class RelationsService {
  constructor(
    private readonly relations: RelationRepository,
    private readonly events: EventRepository,
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
    private readonly visibility: HistoryVisibility,
    private readonly tx: TransactionRunner,
  ) {}

  async relationsOf(roomId: string, viewer: Viewer, parentId: string, page: RelationsPage) {
    const { userId } = viewer;
    return this.tx.run(async (em) => {
      const version = await this.readableRoom(roomId, userId, em);
      const parent = await this.events.find(parentId, em);
      if (
        !parent ||
        parent.event.room_id !== roomId ||
        (await this.visibility.filter(userId, roomId, [parent], em)).length === 0
      ) {
        throw MatrixError.notFound('Event not found');
      }
      const from =
        page.from === undefined ? (page.dir === 'b' ? Number.MAX_SAFE_INTEGER : 0) : decodePageToken(page.from);
      const children = await this.relations.children(
        { parentId, relType: page.relType, eventType: page.eventType, from, dir: page.dir, limit: page.limit },
        em,
      );
      const loaded = await this.events.findMany(
        children.map((c) => c.eventId),
        em,
      );
      const ordered = children.map((c) => loaded.get(c.eventId)).filter((e): e is StoredEvent => e !== undefined);
      const visible = await this.visibility.filter(userId, roomId, ordered, em);
      const last = children.at(-1);
      const next = last && (page.dir === 'b' ? last.streamOrdering - 1 : last.streamOrdering);
      const transactionIds = await this.events.transactionIds(viewer, visible, em);
      return {
        chunk: visible.map((stored) => toClientEvent(stored, version, { transactionIds })),
        ...(next !== undefined && children.length === page.limit ? { next_batch: encodePageToken(next) } : {}),
        ...(page.from !== undefined ? { prev_batch: page.from } : {}),
      };
    });
  }

  /** Thread roots, most recently active first, each with the spec's thread summary. */
  async threads(
    roomId: string,
    viewer: Viewer,
    page: { include: 'all' | 'participated'; from?: string; limit: number },
  ) {
    const { userId } = viewer;
    return this.tx.run(async (em) => {
      const version = await this.readableRoom(roomId, userId, em);
      const before = page.from === undefined ? Number.MAX_SAFE_INTEGER : decodePageToken(page.from);
      const threads = (await this.relations.threads(roomId, before, page.limit, userId, em))
        .filter((t) => page.include === 'all' || t.participated)
        .slice(0, page.limit);
      const loaded = await this.events.findMany(
        threads.flatMap((t) => [t.rootId, t.latestId]),
        em,
      );
      const transactionIds = await this.events.transactionIds(viewer, [...loaded.values()], em);
      const chunk: JsonObject[] = [];
      for (const thread of threads) {
        const root = loaded.get(thread.rootId);
        const latest = loaded.get(thread.latestId);
        if (!root || !latest || (await this.visibility.filter(userId, roomId, [root], em)).length === 0) continue;
        const event = toClientEvent(root, version, { transactionIds });
        const unsigned = event.unsigned as JsonObject;
        unsigned['m.relations'] = {
          'm.thread': {
            latest_event: toClientEvent(latest, version, { transactionIds }),
            count: thread.count,
            current_user_participated: thread.participated || root.event.sender === userId,
          },
        };
        chunk.push(event);
      }
      const last = threads.at(-1);
      return {
        chunk,
        ...(last && threads.length === page.limit ? { next_batch: encodePageToken(last.latest - 1) } : {}),
      };
    });
  }

  private async readableRoom(roomId: string, userId: string, em: EntityManager) {
    const room = await this.rooms.find(roomId, em);
    const version = room && getRoomVersion(room.roomVersion);
    if (!version || (await this.state.membership(roomId, userId, em)) === undefined) throw roomErrors.notInRoom();
    return version;
  }
}
