import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RoomSyncReader } from '@hearth/rooms';
import { ChangeBus, TransactionRunner, type Change } from '@hearth/storage';
import { roomKey, SyncNotifier, userKey } from './sync-notifier';

/** The change-bus streams a /sync reads from: a change to one of them may answer a waiting request. */
const WAKING_STREAMS = [
  'events',
  'typing',
  'receipts',
  'accountData',
  'pushRules',
  'toDevice',
  'deviceLists',
  'presence',
] as const;

/**
 * The notifier's one subscription to the change bus: each committed change wakes the requests
 * waiting on its rooms (`room:<id>`) and users (`user:<id>`), here and, through the notifier's
 * Redis adapter, in every other process.
 */
@Injectable()
export class SyncWakeUps implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: ChangeBus,
    private readonly notifier: SyncNotifier,
    private readonly rooms: RoomSyncReader,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(WAKING_STREAMS, 'SyncWakeUps', (change) => this.wake(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async wake(change: Change<(typeof WAKING_STREAMS)[number]>): Promise<void> {
    const keys = [...change.roomIds.map(roomKey), ...change.userIds.map(userKey)];
    // A user's device change concerns everyone who shares a room with them: wake those rooms too.
    if (change.stream === 'deviceLists') keys.push(...(await this.joinedRooms(change.userId)).map(roomKey));
    this.notifier.notify(keys);
  }

  private async joinedRooms(userId: string): Promise<string[]> {
    const memberships = await this.tx.read((em) => this.rooms.memberships(userId, em));
    return memberships.filter((m) => m.membership === 'join').map((m) => m.roomId);
  }
}
