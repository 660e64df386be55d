import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RoomEvent } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';

/** What a committed write touched: rooms whose timelines moved, users whose membership changed. */
export interface EventStreamChange {
  readonly roomIds: ReadonlySet<string>;
  readonly userIds: ReadonlySet<string>;
}

/**
 * Word of every committed room event to whoever listens (the sync notifier). Positions commit in
 * order (see the SyncStreams migration); readers take the current one from `stream_positions`.
 */
@Injectable()
export class EventStream {
  private readonly listeners: Array<(change: EventStreamChange) => void> = [];

  constructor(private readonly tx: TransactionRunner) {}

  onCommit(listener: (change: EventStreamChange) => void): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners about `events` once the transaction of `em` commits. */
  announce(em: EntityManager, events: readonly RoomEvent[]): void {
    const change: EventStreamChange = {
      roomIds: new Set(events.map((event) => event.room_id)),
      userIds: new Set(events.flatMap((event) => (event.type === 'm.room.member' && event.state_key !== undefined ? [event.state_key] : []))),
    };
    this.tx.afterCommit(em, () => {
      for (const listener of this.listeners) listener(change);
    });
  }
}
