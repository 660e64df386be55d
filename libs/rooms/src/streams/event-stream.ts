import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { ChangeBus } from '@hearth/storage';

/**
 * Announces committed room events on the change bus (stream `events`): the rooms whose timelines
 * moved, and the users whose membership changed. Positions commit in order (see the SyncStreams
 * migration); readers take the current one from `stream_positions`.
 */
@Injectable()
export class EventStream {
  constructor(private readonly bus: ChangeBus) {}

  /** Publishes `events` once the transaction of `em` commits (nothing if it rolls back). */
  announce(em: EntityManager, events: readonly RoomEvent[]): void {
    this.bus.publishAfterCommit(em, {
      stream: 'events',
      roomIds: [...new Set(events.map((event) => event.room_id))],
      userIds: [
        ...new Set(
          events.flatMap((event) =>
            event.type === 'm.room.member' && event.state_key !== undefined ? [event.state_key] : [],
          ),
        ),
      ],
    });
  }
}
