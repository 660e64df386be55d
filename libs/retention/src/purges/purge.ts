import type { RetentionConfig } from '@hearth/config';
import type { EntityManager } from 'typeorm';

/**
 * One kind of transient row and how to remove what has outlived its lifetime (docs/privacy.md,
 * "Retention"). `run` deletes in the transaction it is given and answers how many rows went.
 */
export interface Purge {
  readonly name: string;
  /**
   * At most this many rows per `run`, for a purge whose transaction holds locks others wait for:
   * the runner runs it again, each time in a transaction of its own, while it removes that many.
   */
  readonly batch?: number;
  run(em: EntityManager, now: number, retention: RetentionConfig, serverName: string): Promise<number>;
}
