import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '@hearth/storage';

/**
 * Write transactions to one room, one at a time from this process. PostgreSQL serialises them on
 * the room's row lock anyway; waiting here instead means that a burst of writes to one room (a
 * crowd joining it, or many servers sending to it) waits in memory rather than on pooled database
 * connections, which every other request needs too. Client sends go through SendBatcher, whose
 * transactions are few.
 */
@Injectable()
export class RoomWriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly tx: TransactionRunner) {}

  /** Runs `work` in its own transaction once this process's earlier writes to the room have ended. Never nest two for one room. */
  transaction<T>(roomId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    const result = (this.tails.get(roomId) ?? Promise.resolve()).then(() => this.tx.run(work));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(roomId, tail);
    void tail.then(() => {
      if (this.tails.get(roomId) === tail) this.tails.delete(roomId);
    });
    return result;
  }
}
