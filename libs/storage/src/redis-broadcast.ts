import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

/**
 * A Redis pub/sub channel between Hearth processes: what one process publishes reaches every
 * other one (not itself: a process acts on its own news before publishing). Redis only carries
 * news; a lost message must never lose data, so receivers treat messages as hints.
 */
export class RedisBroadcast {
  private readonly logger: Logger;
  private readonly origin = randomUUID();
  /** For commands as well as publishing (a subscribed connection can do neither). */
  readonly client: Redis;
  private readonly subscriber: Redis;

  constructor(
    redisUrl: string,
    private readonly channel: string,
  ) {
    this.logger = new Logger(`RedisBroadcast ${channel}`);
    this.client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(redisUrl);
    for (const connection of [this.client, this.subscriber])
      connection.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /** Subscribes; resolves once messages published from now on will arrive. */
  async start(onMessage: (body: unknown) => void): Promise<void> {
    this.subscriber.on('message', (_channel: string, text: string) => {
      try {
        const { origin, body } = JSON.parse(text) as { origin?: unknown; body?: unknown };
        if (origin !== this.origin) onMessage(body);
      } catch {
        this.logger.warn('Ignored a malformed message');
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  publish(body: unknown): void {
    this.client
      .publish(this.channel, JSON.stringify({ origin: this.origin, body }))
      .catch((error: unknown) => this.logger.warn(`Publish failed: ${String(error)}`));
  }

  /** Lets publishes already sent finish, then disconnects. */
  async close(): Promise<void> {
    this.subscriber.disconnect();
    await this.client.quit().catch((error: unknown) => this.logger.debug(`closing Redis: ${String(error)}`));
  }
}
