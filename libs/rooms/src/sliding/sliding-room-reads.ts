import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getRoomVersion, type JsonObject } from '@hearth/protocol';
import { toClientEvent } from '../events/client-event';
import { EventRepository } from '../storage/event.repository';
import { BUMP_TYPES } from '../pipeline/bump-types';
import {
  SlidingRoomReadsRepository,
  type CurrentStateRow,
  type RoomActivityRow,
  type StateSelector,
} from './sliding-room-reads.repository';

/**
 * What sliding sync (MSC4186) reads of rooms beyond what /sync reads: the latest activity of
 * many rooms (to order a room list), current state picked by type and state key (filters,
 * `required_state`, names and avatars), and state events in client format.
 */
@Injectable()
export class SlidingRoomReads {
  constructor(
    private readonly reads: SlidingRoomReadsRepository,
    private readonly events: EventRepository,
  ) {}

  /** Per room, the stream position of its last event at or before `upTo`. */
  lastActivity(roomIds: readonly string[], upTo: number, em: EntityManager): Promise<Map<string, number>> {
    return this.kept(roomIds, upTo, 'last', null, em);
  }

  /** Per room, its `bump_stamp`: the position of its last event of a bumping type (BUMP_TYPES) at or before `upTo`. */
  bumpStamps(roomIds: readonly string[], upTo: number, em: EntityManager): Promise<Map<string, number>> {
    return this.kept(roomIds, upTo, 'bump', BUMP_TYPES, em);
  }

  /**
   * Positions as room_activity keeps them (the pipeline moves them in the statement that stores
   * the events), one index read per room. A room whose kept position lies past `upTo` (an event
   * committed after the response's positions were read) or that has no row is looked up in
   * `events` instead, so that the answer is exactly what `upTo` shows.
   */
  private async kept(
    roomIds: readonly string[],
    upTo: number,
    field: keyof RoomActivityRow,
    types: readonly string[] | null,
    em: EntityManager,
  ): Promise<Map<string, number>> {
    const rows = await this.reads.activity(roomIds, em);
    const result = new Map<string, number>();
    const unsure: string[] = [];
    for (const roomId of roomIds) {
      const row = rows.get(roomId);
      const position = row?.[field];
      if (!row || row.last > upTo) unsure.push(roomId);
      else if (position !== null && position !== undefined) result.set(roomId, position);
    }
    for (const [roomId, position] of await this.reads.lastPositions(unsure, upTo, types, em))
      result.set(roomId, position);
    return result;
  }

  /** Per room, how many events lie in (after, upTo], at most `cap` (a timeline's live events). */
  eventsBetween(
    roomIds: readonly string[],
    after: number,
    upTo: number,
    cap: number,
    em: EntityManager,
  ): Promise<Map<string, number>> {
    return this.reads.countsBetween(roomIds, after, upTo, cap, em);
  }

  currentState(roomIds: readonly string[], selector: StateSelector, em: EntityManager): Promise<CurrentStateRow[]> {
    return this.reads.currentState(roomIds, selector, em);
  }

  /** State events in client format, by event ID; `roomVersions` names each room's version. */
  async clientEvents(
    rows: readonly CurrentStateRow[],
    roomVersions: ReadonlyMap<string, string>,
    em: EntityManager,
  ): Promise<Map<string, JsonObject>> {
    const stored = await this.events.findMany(
      rows.map((row) => row.eventId),
      em,
    );
    const result = new Map<string, JsonObject>();
    for (const row of rows) {
      const event = stored.get(row.eventId);
      const version = getRoomVersion(roomVersions.get(row.roomId) ?? '');
      if (event && version) result.set(row.eventId, toClientEvent(event, version));
    }
    return result;
  }
}
