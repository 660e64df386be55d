import { Injectable, Logger } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { SyncRepository } from '../storage/sync.repository';
import { RoomLeaveService } from './room-leave.service';

/** Memberships a deactivated account gives up: rooms it is in, invites it had, knocks it sent. */
const HELD = new Set(['join', 'invite', 'knock']);

/**
 * A deactivated account leaves every room, declines its invites and withdraws its knocks, so that
 * its handle no longer counts among members anywhere (Synapse parts deactivated users the same
 * way). Each room is left on its own: one that fails (a server of an invite that does not answer)
 * is logged and the rest are still left.
 */
@Injectable()
export class RoomDeparture {
  private readonly logger = new Logger(RoomDeparture.name);

  constructor(
    private readonly rooms: SyncRepository,
    private readonly leaving: RoomLeaveService,
    private readonly tx: TransactionRunner,
  ) {}

  async leaveEverything(userId: string): Promise<{ left: number; failed: number }> {
    const memberships = await this.tx.read((em) => this.rooms.memberships(userId, em));
    let left = 0;
    let failed = 0;
    for (const { roomId } of memberships.filter((row) => HELD.has(row.membership))) {
      try {
        await this.leaving.leave(roomId, userId);
        left += 1;
      } catch (error) {
        failed += 1;
        this.logger.warn(`${userId} could not leave ${roomId} at deactivation: ${String(error)}`);
      }
    }
    return { left, failed };
  }
}
