import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

/** One change to a room's typing list: `expiresAt` null means the user stopped. */
export interface TypingUpdate {
  readonly roomId: string;
  readonly userId: string;
  readonly expiresAt: number | null;
  readonly position: number;
}

/**
 * Carries typing between processes. Typing lives in memory; with several API processes each
 * keeps the whole picture, and positions come from one counter so that a token from one
 * process means the same on another.
 */
export abstract class TypingRelay {
  abstract nextPosition(): Promise<number>;
  abstract publish(update: TypingUpdate): void;
  /** Updates made by other processes. */
  abstract onRemoteUpdate(listener: (update: TypingUpdate) => void): void;
  abstract close(): Promise<void>;
}

export class LocalTypingRelay extends TypingRelay {
  private position = 0;

  nextPosition(): Promise<number> {
    return Promise.resolve(++this.position);
  }

  publish(): void {}

  onRemoteUpdate(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const CHANNEL = 'hearth:typing';
const POSITION_KEY = 'hearth:typing:position';

export class RedisTypingRelay extends TypingRelay {
  private readonly logger = new Logger(RedisTypingRelay.name);
  private readonly origin = randomUUID();
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly listeners: Array<(update: TypingUpdate) => void> = [];

  constructor(redisUrl: string) {
    super();
    this.commands = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(redisUrl);
    for (const client of [this.commands, this.subscriber]) client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(CHANNEL);
  }

  nextPosition(): Promise<number> {
    return this.commands.incr(POSITION_KEY);
  }

  publish(update: TypingUpdate): void {
    this.commands.publish(CHANNEL, JSON.stringify({ origin: this.origin, update })).catch((error: unknown) => this.logger.warn(`Redis publish failed: ${String(error)}`));
  }

  onRemoteUpdate(listener: (update: TypingUpdate) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    await this.commands.quit().catch(() => undefined);
  }

  private receive(text: string): void {
    try {
      const { origin, update } = JSON.parse(text) as { origin?: string; update?: TypingUpdate };
      if (origin === this.origin || !update || typeof update.roomId !== 'string' || typeof update.userId !== 'string' || typeof update.position !== 'number') return;
      for (const listener of this.listeners) listener(update);
    } catch {
      this.logger.warn('Ignored a malformed typing update from Redis');
    }
  }
}

export async function createTypingRelay(redisUrl: string | undefined): Promise<TypingRelay> {
  if (!redisUrl) return new LocalTypingRelay();
  const relay = new RedisTypingRelay(redisUrl);
  await relay.start();
  return relay;
}
