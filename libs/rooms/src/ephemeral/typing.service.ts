import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { roomErrors } from '../room-errors';
import { StateRepository } from '../storage/state.repository';

/** Typing notifications last at most this long without a refresh. */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

/**
 * Who is typing where (spec "Typing Notifications"). Typing is ephemeral: kept in memory, never
 * written to the database, and forgotten at its timeout. `position` grows with every change so
 * that sync can tell whether a room's typing list moved since a client's token.
 */
@Injectable()
export class TypingService {
  private readonly rooms = new Map<string, Map<string, number>>();
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
    if (typing) room.set(userId, now + Math.min(timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS, MAX_TYPING_TIMEOUT_MS));
    else room.delete(userId);
    this.rooms.set(roomId, room);
    this.position++;
  }

  /** Users typing in the room now; expired entries are dropped as they are found. */
  typingIn(roomId: string, now = Date.now()): string[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    for (const [userId, expires] of room) {
      if (expires <= now) {
        room.delete(userId);
        this.position++;
      }
    }
    if (room.size === 0) this.rooms.delete(roomId);
    return [...room.keys()].sort();
  }

  get streamPosition(): number {
    return this.position;
  }
}
