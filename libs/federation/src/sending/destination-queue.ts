import type { JsonObject } from '@hearth/protocol';

export interface TransactionSender {
  /** Sends one transaction; throws to have it retried with the same transaction ID. */
  send(destination: string, txnId: string, pdus: readonly JsonObject[], edus: readonly JsonObject[]): Promise<void>;
}

const MAX_PDUS_PER_TXN = 50;
const MAX_EDUS_PER_TXN = 100;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60 * 1000;

/**
 * One destination's outgoing PDUs and EDUs, sent one transaction at a time in order, with
 * exponential backoff (and jitter) while the peer fails. In memory until libs/delivery gives
 * it a durable outbox.
 */
export class DestinationQueue {
  private readonly pdus: JsonObject[] = [];
  private readonly edus: JsonObject[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly destination: string,
    private readonly sender: TransactionSender,
    private readonly onError: (error: unknown, retryInMs: number) => void,
  ) {}

  enqueue(pdus: readonly JsonObject[], edus: readonly JsonObject[] = []): void {
    if (this.closed) return;
    this.pdus.push(...pdus);
    this.edus.push(...edus);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (!this.closed && (this.pdus.length > 0 || this.edus.length > 0)) this.enqueue([]);
    });
  }

  /** Stops retrying; what is unsent is dropped (until the durable outbox). */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async drain(): Promise<void> {
    let attempt = 0;
    while (!this.closed && (this.pdus.length > 0 || this.edus.length > 0)) {
      const pdus = this.pdus.slice(0, MAX_PDUS_PER_TXN);
      const edus = this.edus.slice(0, MAX_EDUS_PER_TXN);
      const txnId = `${Date.now()}.${Math.random().toString(36).slice(2, 10)}`;
      for (;;) {
        try {
          await this.sender.send(this.destination, txnId, pdus, edus);
          this.pdus.splice(0, pdus.length);
          this.edus.splice(0, edus.length);
          attempt = 0;
          break;
        } catch (error) {
          const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
          attempt++;
          this.onError(error, delay);
          await this.sleep(delay);
          if (this.closed) return;
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
