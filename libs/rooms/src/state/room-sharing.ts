import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { StateRepository } from '../storage/state.repository';

/** The rooms side of the profile rule: do two users share a room (one joined, the other joined or invited)? */
@Injectable()
export class RoomSharingFromState {
  constructor(
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  shareARoom(userA: string, userB: string): Promise<boolean> {
    return this.tx.read((em) => this.state.shareARoom(userA, userB, em));
  }

  serverSharesARoom(serverName: string, userId: string): Promise<boolean> {
    return this.tx.read((em) => this.state.serverSharesARoom(serverName, userId, em));
  }
}
