import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { roomErrors } from '../room-errors';
import { StateRepository } from '../storage/state.repository';

/** Typing notifications last at most this long without a refresh. */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

/**
 * Who is typing where (spec "Typing Notifications"). Typing is ephemeral: kept in memory, never
 * written to the database, and forgotten at its timeout. Every change, an expiry included,
 * takes a new position and is announced, so that sync can tell which rooms' typing lists moved
 * since a client's token and wake the clients waiting for them.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly rooms = new Map<string, Map<string, number>>();
  private readonly changedAt = new Map<string, number>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: Array<(roomId: string) => void> = [];
  private position = 0;

  constructor(
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async setTyping(roomId: string, requester: string, userId: string, typing: boolean, timeoutMs: number | undefined, now = Date.now()): Promise<void> {
    if (requester !== userId) throw MatrixError.forbidden('You can only set your own typing state');
    const membership = await this.tx.run((em) => this.state.membership(roomId, userId, em));
    if (membership !== 'join') throw roomErrors.notInRoom();
    const room = this.rooms.get(roomId) ?? new Map<string, number>();
    if (typing) {
      const timeout = Math.min(timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS, MAX_TYPING_TIMEOUT_MS);
      room.set(userId, now + timeout);
      this.scheduleExpiry(roomId, userId, timeout);
    } else {
      room.delete(userId);
    }
    this.rooms.set(roomId, room);
    this.changed(roomId);
  }

  /** Users typing in the room now; expired entries are dropped as they are found. */
  typingIn(roomId: string, now = Date.now()): string[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    let expired = false;
    for (const [userId, expires] of room) {
      if (expires <= now) {
        room.delete(userId);
        expired = true;
      }
    }
    if (room.size === 0) this.rooms.delete(roomId);
    if (expired) this.changed(roomId);
    return [...room.keys()].sort();
  }

  get streamPosition(): number {
    return this.position;
  }

  /** Rooms whose typing list changed after `since`. A position from another process life counts as nothing seen. */
  roomsChangedSince(since: number): Set<string> {
    const from = since > this.position ? 0 : since;
    return new Set([...this.changedAt].filter(([, at]) => at > from).map(([roomId]) => roomId));
  }

  onChange(listener: (roomId: string) => void): void {
    this.listeners.push(listener);
  }

  onModuleDestroy(): void {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  private changed(roomId: string): void {
    this.position++;
    this.changedAt.set(roomId, this.position);
    for (const listener of this.listeners) listener(roomId);
  }

  /** Waiting clients must hear of an expiry when it happens, not at the next change. */
  private scheduleExpiry(roomId: string, userId: string, timeout: number): void {
    const key = `${roomId}\u0000${userId}`;
    clearTimeout(this.expiryTimers.get(key));
    const timer = setTimeout(() => {
      this.expiryTimers.delete(key);
      this.typingIn(roomId);
    }, timeout + 1);
    timer.unref();
    this.expiryTimers.set(key, timer);
  }
}
