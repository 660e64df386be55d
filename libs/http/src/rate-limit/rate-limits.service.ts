import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HEARTH_CONFIG, type HearthConfig, type RateLimitedAction } from '@hearth/config';
import { connectRedis } from '@hearth/storage';
import { MatrixError } from '../matrix-error';

export interface RateLimitSubject {
  /** The client address; hashed before it is used as a key, and never stored elsewhere. Absent: counted per account only. */
  readonly address?: string;
  readonly account?: string;
}

/**
 * Limits on the endpoints that guess at secrets (login, registration, token validity). Counters
 * live in Redis when configured, so every API process shares them, and in memory otherwise.
 */
@Injectable()
export class RateLimitsService implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimitsService.name);
  private readonly redis: Redis | undefined;
  private readonly limiters = new Map<RateLimitedAction, RateLimiterAbstract>();

  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {
    this.redis = config.redisUrl
      ? connectRedis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
      : undefined;
  }

  /** Counts one attempt against the address and the account; 429 M_LIMIT_EXCEEDED when over. */
  async consume(action: RateLimitedAction, subject: RateLimitSubject): Promise<void> {
    const limiter = this.limiter(action);
    const keys = [
      ...(subject.address !== undefined ? [`address:${digest(subject.address)}`] : []),
      ...(subject.account ? [`account:${subject.account}`] : []),
    ];
    for (const key of keys) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw limitExceeded(rejection.msBeforeNext);
        throw rejection;
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch((error: unknown) => this.logger.debug(`closing Redis: ${String(error)}`));
  }

  private limiter(action: RateLimitedAction): RateLimiterAbstract {
    let limiter = this.limiters.get(action);
    if (!limiter) {
      const { requests, perSeconds } = this.config.rateLimits[action];
      const options = {
        keyPrefix: `hearth:rl:${this.config.serverName}:${action}`,
        points: requests,
        duration: perSeconds,
      };
      limiter = this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, useRedisPackage: false })
        : new RateLimiterMemory(options);
      this.limiters.set(action, limiter);
    }
    return limiter;
  }
}

function limitExceeded(retryAfterMs: number): MatrixError {
  const retry = Math.max(1, Math.ceil(retryAfterMs));
  return new MatrixError(
    429,
    'M_LIMIT_EXCEEDED',
    'Too many requests',
    { retry_after_ms: retry },
    { 'retry-after': String(Math.ceil(retry / 1000)) },
  );
}

function digest(address: string): string {
  return createHash('sha256').update(address).digest('base64url').slice(0, 22);
}
