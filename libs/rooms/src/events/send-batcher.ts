import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { EventWriter, type TxnSend, type TxnSendResult } from './event-writer.service';

/** Sends written together in one transaction at most; more wait for the next. */
const MAX_BATCH = 64;
/** Transactions writing batches at once; the rest of the pool stays free for reads. */
const MAX_CONCURRENT_BATCHES = 2;

interface Waiting {
  readonly send: TxnSend;
  resolve(result: { eventId: string }): void;
  reject(error: unknown): void;
}

/**
 * Group commit for client sends. A send starts a transaction at once when fewer than
 * MAX_CONCURRENT_BATCHES are running, so a quiet server adds no delay; under load, sends that
 * arrive while those run are written together by the next one, with one lock, one read, one
 * insert and one commit for all of them. Each send is answered only after its batch commits.
 */
@Injectable()
export class SendBatcher {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly writer: EventWriter,
    private readonly tx: TransactionRunner,
  ) {}

  send(send: TxnSend): Promise<{ eventId: string }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ send, resolve, reject });
      if (this.running < MAX_CONCURRENT_BATCHES) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.waiting.length > 0) await this.writeBatch(this.waiting.splice(0, MAX_BATCH));
    } finally {
      this.running--;
    }
  }

  private async writeBatch(batch: readonly Waiting[]): Promise<void> {
    let results: TxnSendResult[];
    try {
      results = await this.tx.run(
        (em) =>
          this.writer.writeBatch(
            batch.map((waiting) => waiting.send),
            em,
          ),
        { genericPlans: true },
      );
    } catch (error) {
      // The database refused the whole transaction: write each send on its own, so that one
      // bad send cannot sink the others.
      if (batch.length > 1) await Promise.all(batch.map((waiting) => this.writeBatch([waiting])));
      else batch[0]?.reject(error);
      return;
    }
    results.forEach((result, i) => {
      const waiting = batch[i];
      if (!waiting) return;
      if ('eventId' in result) waiting.resolve(result);
      else waiting.reject(result.error);
    });
  }
}
