import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDataService } from '@hearth/accounts';
import { SlidingRoomReads } from '@hearth/rooms';
import type { ListConfig } from './sliding-request';

/** What list filters look at, read only when some list's filters need it. */
export interface RoomFacts {
  /** Rooms `m.direct` names. */
  readonly dmRooms: ReadonlySet<string>;
  readonly encrypted: ReadonlySet<string>;
  /** The create event's `type`, for rooms that have one. */
  readonly roomTypes: ReadonlyMap<string, string>;
  /** Per space the user is joined to, its children (`m.space.child` with a `via`). */
  readonly spaceChildren: ReadonlyMap<string, ReadonlySet<string>>;
  /** The user's `m.tag` tag names per room; read only when a list filters by tags. */
  readonly tags: ReadonlyMap<string, readonly string[]>;
}

/** Reads the facts the request's list filters need, each in one statement for all rooms. */
@Injectable()
export class RoomFactsReader {
  constructor(
    private readonly accountData: AccountDataService,
    private readonly reads: SlidingRoomReads,
  ) {}

  async read(
    userId: string,
    roomIds: readonly string[],
    joined: ReadonlySet<string>,
    lists: Iterable<ListConfig>,
    em: EntityManager,
  ): Promise<RoomFacts> {
    const filters = [...lists].map((list) => list.filters);
    const wantsTypes = filters.some((f) => f.isEncrypted !== undefined || f.roomTypes || f.notRoomTypes);
    const spaces = [...new Set(filters.flatMap((f) => f.spaces ?? []))].filter((space) => joined.has(space));
    // Every response marks DM rooms (`is_dm`), so m.direct is always read.
    const direct = await this.accountData.ownGlobal(userId, 'm.direct', em);
    const dmRooms = new Set(
      Object.values(direct ?? {}).flatMap((rooms) =>
        Array.isArray(rooms) ? rooms.filter((r) => typeof r === 'string') : [],
      ),
    );
    const encrypted = new Set<string>();
    const roomTypes = new Map<string, string>();
    if (wantsTypes) {
      const rows = await this.reads.currentState(roomIds, { types: ['m.room.create', 'm.room.encryption'] }, em);
      for (const row of rows) {
        if (row.type === 'm.room.encryption') encrypted.add(row.roomId);
        if (row.type === 'm.room.create' && typeof row.content.type === 'string')
          roomTypes.set(row.roomId, row.content.type);
      }
    }
    const spaceChildren = new Map<string, Set<string>>();
    if (spaces.length > 0) {
      for (const row of await this.reads.currentState(spaces, { types: ['m.space.child'] }, em)) {
        if (!Array.isArray(row.content.via) || row.content.via.length === 0) continue;
        const children = spaceChildren.get(row.roomId) ?? new Set<string>();
        children.add(row.stateKey);
        spaceChildren.set(row.roomId, children);
      }
    }
    const wantsTags = filters.some((f) => f.tags || f.notTags);
    const tags = wantsTags ? await this.accountData.roomTagNames(userId, em) : new Map<string, string[]>();
    return { dmRooms, encrypted, roomTypes, spaceChildren, tags };
  }
}
