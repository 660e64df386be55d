import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getRoomVersion, type JsonObject } from '@hearth/protocol';
import { toClientEvent } from '../events/client-event';
import { EventRepository } from '../storage/event.repository';
import { SlidingRoomReadsRepository, type CurrentStateRow, type StateSelector } from './sliding-room-reads.repository';

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
    return this.reads.lastPositions(roomIds, upTo, null, em);
  }

  /** Per room, the position of its last event of one of `types` at or before `upTo`. */
  lastOfTypes(
    roomIds: readonly string[],
    upTo: number,
    types: readonly string[],
    em: EntityManager,
  ): Promise<Map<string, number>> {
    return this.reads.lastPositions(roomIds, upTo, types, em);
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
