/** Work for one destination: send what its outbox holds. */
export type DestinationHandler = (destination: string) => Promise<void>;

/**
 * The queue port (architecture: "the queue only schedules work"). At most one job per
 * destination runs at a time; scheduling a destination that is already waiting does nothing,
 * and one that is running runs again once it is done.
 */
export interface DeliveryQueue {
  schedule(destination: string, delayMs?: number): Promise<void>;
  /** Starts taking jobs in this process. */
  consume(handler: DestinationHandler): void;
  close(): Promise<void>;
}

export const DELIVERY_QUEUE = Symbol('DELIVERY_QUEUE');
