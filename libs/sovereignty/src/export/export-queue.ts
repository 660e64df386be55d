import { BullMqDeliveryQueue, InProcessDeliveryQueue, type DeliveryQueue } from '@hearth/delivery';
import type { HearthConfig } from '@hearth/config';

export const EXPORT_QUEUE = Symbol('EXPORT_QUEUE');

/**
 * Exports run on the same queue machinery as federation delivery (BullMQ on Redis, in-process
 * without it), as a queue of their own keyed by export ID, so a long export never holds up a
 * destination and one export runs at most once at a time.
 */
export function exportQueueFor(config: HearthConfig): DeliveryQueue {
  return config.redisUrl
    ? new BullMqDeliveryQueue(config.redisUrl, `hearth-export-${config.serverName.replace(/[^A-Za-z0-9.-]/g, '_')}`)
    : new InProcessDeliveryQueue();
}
