import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { ChangeBus, TransactionRunner, type TypingPayload } from '@hearth/storage';
import { roomErrors } from '../room-errors';
import { StateRepository } from '../storage/state.repository';
import { TypingRelay, type TypingUpdate } from './typing-relay';

export type { TypingChange } from '@hearth/storage';

/** Typing notifications last at most this long without a refresh. */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

/**
 * Who is typing where (spec "Typing Notifications"). Typing is ephemeral: kept in memory (in
 * every process, through the relay), never written to the database, and forgotten at its
 * timeout. Every change, an expiry included, takes a new position and is published on the
 * change bus (stream `typing`, not in a transaction: at once), so that sync can tell which rooms'
 * typing lists moved since a client's token and wake the clients waiting for them, and
 * federation can send our users' changes on.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly rooms = new Map<string, Map<string, number>>();
  private readonly changedAt = new Map<string, number>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private position = 0;

  constructor(
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
    private readonly relay: TypingRelay,
    private readonly bus: ChangeBus,
  ) {
    relay.onRemoteUpdate((update) => this.apply(update, 'relay'));
  }

  async setTyping(
    roomId: string,
    requester: string,
    userId: string,
    typing: boolean,
    timeoutMs: number | undefined,
    now = Date.now(),
  ): Promise<void> {
    if (requester !== userId) throw MatrixError.forbidden('You can only set your own typing state');
    const membership = await this.tx.run((em) => this.state.membership(roomId, userId, em));
    if (membership !== 'join') throw roomErrors.notInRoom();
    const expiresAt = typing ? now + Math.min(timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS, MAX_TYPING_TIMEOUT_MS) : null;
    const update: TypingUpdate = { roomId, userId, expiresAt, position: await this.relay.nextPosition() };
    this.apply(update, 'request');
    this.relay.publish(update);
  }

  /** Users typing in the room now. */
  typingIn(roomId: string, now = Date.now()): string[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    return [...room]
      .filter(([, expires]) => expires > now)
      .map(([userId]) => userId)
      .sort();
  }

  get streamPosition(): number {
    return this.position;
  }

  /** Rooms whose typing list changed after `since`. A position from before a restart of the counter counts as nothing seen. */
  roomsChangedSince(since: number): Set<string> {
    const from = since > this.position ? 0 : since;
    return new Set([...this.changedAt].filter(([, at]) => at > from).map(([roomId]) => roomId));
  }

  async onModuleDestroy(): Promise<void> {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    await this.relay.close();
  }

  private apply(update: TypingUpdate, source: TypingPayload['source']): void {
    const room = this.rooms.get(update.roomId) ?? new Map<string, number>();
    if (update.expiresAt === null) room.delete(update.userId);
    else {
      room.set(update.userId, update.expiresAt);
      this.scheduleExpiry(update.roomId, update.userId, update.expiresAt);
    }
    if (room.size === 0) this.rooms.delete(update.roomId);
    else this.rooms.set(update.roomId, room);
    this.moved(
      { roomId: update.roomId, userId: update.userId, typing: update.expiresAt !== null },
      update.position,
      source,
    );
  }

  private moved(typing: TypingPayload['typing'], position: number, source: TypingPayload['source']): void {
    this.position = Math.max(this.position, position);
    this.changedAt.set(typing.roomId, Math.max(this.changedAt.get(typing.roomId) ?? 0, position));
    this.bus.publish({ stream: 'typing', position, roomIds: [typing.roomId], userIds: [], typing, source });
  }

  /** Waiting clients must hear of an expiry when it happens, not at the next change. */
  private scheduleExpiry(roomId: string, userId: string, expiresAt: number): void {
    const key = `${roomId}\u0000${userId}`;
    clearTimeout(this.expiryTimers.get(key));
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(key);
        void this.expire(roomId, userId);
      },
      Math.max(0, expiresAt - Date.now()) + 1,
    );
    timer.unref();
    this.expiryTimers.set(key, timer);
  }

  private async expire(roomId: string, userId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    const expires = room?.get(userId);
    if (!room || expires === undefined || expires > Date.now()) return;
    room.delete(userId);
    if (room.size === 0) this.rooms.delete(roomId);
    this.moved({ roomId, userId, typing: false }, await this.relay.nextPosition(), 'expiry');
  }
}
