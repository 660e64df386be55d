import { Logger } from '@nestjs/common';
import type { DeliveryQueue, DestinationHandler } from './delivery-queue';

interface Slot {
  running: boolean;
  again: boolean;
  /** When the run asked for after the current one is due. */
  againAt?: number;
  timer?: NodeJS.Timeout;
  dueAt?: number;
}

/** The embedded default: jobs are timers and promises in this process. */
export class InProcessDeliveryQueue implements DeliveryQueue {
  private readonly logger = new Logger(InProcessDeliveryQueue.name);
  private readonly slots = new Map<string, Slot>();
  private handler: DestinationHandler | undefined;
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  schedule(destination: string, delayMs = 0): Promise<void> {
    if (this.closed) return Promise.resolve();
    const slot = this.slots.get(destination) ?? { running: false, again: false };
    this.slots.set(destination, slot);
    if (slot.running) {
      const at = Date.now() + delayMs;
      slot.againAt = slot.again ? Math.min(slot.againAt ?? at, at) : at;
      slot.again = true;
      return Promise.resolve();
    }
    const dueAt = Date.now() + delayMs;
    // A sooner schedule wins over a later one; a later one does not postpone a sooner one.
    if (slot.timer && slot.dueAt !== undefined && slot.dueAt <= dueAt) return Promise.resolve();
    clearTimeout(slot.timer);
    slot.dueAt = dueAt;
    slot.timer = setTimeout(() => this.run(destination, slot), delayMs);
    slot.timer.unref();
    return Promise.resolve();
  }

  consume(handler: DestinationHandler): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.allSettled([...this.running]);
  }

  private run(destination: string, slot: Slot): void {
    slot.timer = undefined;
    slot.dueAt = undefined;
    if (!this.handler || this.closed) return;
    slot.running = true;
    const job = this.handler(destination)
      // The sender records its own failures and backs off; anything else escaping it is logged here.
      .catch((error: unknown) => this.logger.error(`sending to ${destination} failed: ${String(error)}`))
      .finally(() => {
        slot.running = false;
        this.running.delete(job);
        if (slot.again) {
          slot.again = false;
          void this.schedule(destination, Math.max(0, (slot.againAt ?? 0) - Date.now()));
        }
      });
    this.running.add(job);
  }
}
