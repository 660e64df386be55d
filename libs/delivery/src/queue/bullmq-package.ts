import type * as BullMq from 'bullmq';

/**
 * BullMQ, required on first use rather than imported at the top: a process without REDIS_URL
 * (the embedded default) never loads it, nor the ioredis it brings (~10 MB of RSS together).
 */
export function bullmq(): typeof BullMq {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when Redis is configured
  return require('bullmq') as typeof BullMq;
}
