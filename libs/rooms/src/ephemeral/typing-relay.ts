import { RedisBroadcast } from '@hearth/storage';

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

const POSITION_KEY = 'hearth:typing:position';

export class RedisTypingRelay extends TypingRelay {
  private readonly broadcast: RedisBroadcast;
  private readonly listeners: Array<(update: TypingUpdate) => void> = [];

  constructor(redisUrl: string) {
    super();
    this.broadcast = new RedisBroadcast(redisUrl, 'hearth:typing');
  }

  start(): Promise<void> {
    return this.broadcast.start((body) => {
      const update = body as Partial<TypingUpdate> | null;
      if (
        typeof update?.roomId !== 'string' ||
        typeof update.userId !== 'string' ||
        typeof update.position !== 'number'
      )
        return;
      for (const listener of this.listeners) listener(update as TypingUpdate);
    });
  }

  nextPosition(): Promise<number> {
    return this.broadcast.client.incr(POSITION_KEY);
  }

  publish(update: TypingUpdate): void {
    this.broadcast.publish(update);
  }

  onRemoteUpdate(listener: (update: TypingUpdate) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    return this.broadcast.close();
  }
}

export async function createTypingRelay(redisUrl: string | undefined): Promise<TypingRelay> {
  if (!redisUrl) return new LocalTypingRelay();
  const relay = new RedisTypingRelay(redisUrl);
  await relay.start();
  return relay;
}
