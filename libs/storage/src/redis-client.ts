import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type * as IoRedis from 'ioredis';

/**
 * A new ioredis connection. ioredis is required here, on the first connection, rather than
 * imported at the top: a process without REDIS_URL (the embedded default) never loads it.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when Redis is configured
  const { default: RedisClient } = require('ioredis') as typeof IoRedis;
  return new RedisClient(url, options);
}
