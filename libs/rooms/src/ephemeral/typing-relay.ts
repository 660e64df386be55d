import { Logger } from '@nestjs/common';
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
/** KEYS[1] becomes max(its value, ARGV[1]) and is returned. */
const RAISE_SCRIPT = `local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if v < want then redis.call('SET', KEYS[1], want) return want end
return v`;

export class RedisTypingRelay extends TypingRelay {
  private readonly logger = new Logger(RedisTypingRelay.name);
  private readonly broadcast: RedisBroadcast;
  private readonly listeners: Array<(update: TypingUpdate) => void> = [];
  /** The highest position this process has taken or heard, for counting on while Redis is away. */
  private lastPosition = 0;

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
      this.lastPosition = Math.max(this.lastPosition, update.position);
      for (const listener of this.listeners) listener(update as TypingUpdate);
    });
  }

  /**
   * The shared counter's next value. While Redis is away, typing goes on in this process with
   * positions counted on from the last one seen (other processes hear nothing until Redis is back,
   * as typing is not worth a fallback channel); the counter is raised past them on the next success.
   */
  async nextPosition(): Promise<number> {
    try {
      const position = await this.broadcast.client.incr(POSITION_KEY);
      if (position > this.lastPosition) return (this.lastPosition = position);
      return (this.lastPosition = await this.raiseCounterPast(this.lastPosition));
    } catch (error) {
      this.logger.debug(`typing position from memory: ${String(error)}`);
      return ++this.lastPosition;
    }
  }

  /** Sets the counter to at least `position + 1` (atomically, should another process raise it too). */
  private async raiseCounterPast(position: number): Promise<number> {
    const raised = await this.broadcast.client.eval(RAISE_SCRIPT, 1, POSITION_KEY, String(position + 1));
    return Number(raised);
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
