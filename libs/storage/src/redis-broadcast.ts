import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { connectRedis } from './redis-client';

/**
 * A Redis pub/sub channel between Hearth processes: what one process publishes reaches every
 * other one (not itself: a process acts on its own news before publishing). Redis only carries
 * news; a lost message must never lose data, so receivers treat messages as hints, and a
 * publisher whose Redis is away hands its news to a fallback instead (`publish`'s `otherwise`).
 */
export class RedisBroadcast {
  private readonly logger: Logger;
  private readonly origin = randomUUID();
  /** For commands as well as publishing (a subscribed connection can do neither). */
  readonly client: Redis;
  private readonly subscriber: Redis;
  /** From the first failure until both connections are ready again: the log says so once each way. */
  private away = false;
  private closing = false;
  private readonly resumedListeners: Array<() => void> = [];

  constructor(
    redisUrl: string,
    private readonly channel: string,
  ) {
    this.logger = new Logger(`RedisBroadcast ${channel}`);
    // Without an offline queue a command fails at once while Redis is away, instead of waiting for a
    // reconnection that may take seconds: publishers fall back, callers of `client` see the error.
    this.client = connectRedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber = connectRedis(redisUrl);
    for (const connection of [this.client, this.subscriber]) {
      connection.on('error', (error: Error) => this.wentAway(error.message));
      connection.on('close', () => this.wentAway('connection closed'));
      connection.on('ready', () => this.cameBack());
    }
  }

  /** Whether both connections are up: a publish now reaches every process that is subscribed. */
  get connected(): boolean {
    return this.client.status === 'ready' && this.subscriber.status === 'ready';
  }

  /**
   * Subscribes; resolves once messages published from now on will arrive. `resumed` is called
   * whenever the connections are back after an outage: messages sent meanwhile did not arrive.
   */
  async start(onMessage: (body: unknown) => void, resumed?: () => void): Promise<void> {
    if (resumed) this.resumedListeners.push(resumed);
    this.subscriber.on('message', (_channel: string, text: string) => {
      try {
        const { origin, body } = JSON.parse(text) as { origin?: unknown; body?: unknown };
        if (origin !== this.origin) onMessage(body);
      } catch {
        this.logger.warn('Ignored a malformed message');
      }
    });
    await Promise.all([this.subscriber.subscribe(this.channel), this.ready(this.client)]);
  }

  /** Publishes to the other processes; while Redis is away (or when the publish fails), calls `otherwise`. */
  publish(body: unknown, otherwise?: () => void): void {
    if (!this.connected && otherwise) return otherwise();
    this.client.publish(this.channel, JSON.stringify({ origin: this.origin, body })).catch((error: unknown) => {
      this.logger.debug(`Publish failed: ${String(error)}`);
      otherwise?.();
    });
  }

  /** Lets publishes already sent finish, then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    this.resumedListeners.length = 0;
    this.subscriber.disconnect();
    await this.client.quit().catch((error: unknown) => this.logger.debug(`closing Redis: ${String(error)}`));
  }

  private ready(connection: Redis): Promise<void> {
    if (connection.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => connection.once('ready', () => resolve()));
  }

  private wentAway(reason: string): void {
    if (this.closing) return;
    if (this.away) return this.logger.debug(`Redis still away: ${reason}`);
    this.away = true;
    this.logger.warn(`Redis is away (${reason}); news between processes takes the fallback until it is back`);
  }

  private cameBack(): void {
    if (!this.away || !this.connected) return;
    this.away = false;
    this.logger.log('Redis is back');
    for (const resumed of this.resumedListeners) resumed();
  }
}
