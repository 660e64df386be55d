import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { LocalSyncNotifier } from './local-sync-notifier';

const CHANNEL = 'hearth:sync:notify';

interface Message {
  readonly origin: string;
  readonly keys: readonly string[];
}

/**
 * The notifier across processes: a notification wakes this process's waiters at once and is
 * published on a Redis channel that every other Hearth process subscribes to. Redis only
 * wakes; what a woken request sends is read from PostgreSQL, so a lost message costs at most a
 * wait until the request's timeout, never an event.
 */
export class RedisSyncNotifier extends LocalSyncNotifier {
  private readonly logger = new Logger(RedisSyncNotifier.name);
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(redisUrl: string) {
    super();
    this.publisher = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(redisUrl);
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
  }

  /** Resolves once the subscription is in place, so no notification published after start is missed. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(CHANNEL);
  }

  override notify(keys: readonly string[]): void {
    this.wake(keys);
    const message: Message = { origin: this.origin, keys };
    this.publisher.publish(CHANNEL, JSON.stringify(message)).catch((error: unknown) => this.logger.warn(`Redis publish failed: ${String(error)}`));
  }

  override onModuleDestroy(): void {
    super.onModuleDestroy();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private receive(text: string): void {
    try {
      const message = JSON.parse(text) as Partial<Message>;
      if (message.origin === this.origin || !Array.isArray(message.keys)) return;
      this.wake(message.keys.filter((key): key is string => typeof key === 'string'));
    } catch {
      this.logger.warn('Ignored a malformed sync notification from Redis');
    }
  }
}
