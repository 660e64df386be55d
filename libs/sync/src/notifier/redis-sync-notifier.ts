import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type ChannelListener, type PostgresNotifications, RedisBroadcast } from '@hearth/storage';
import { LocalSyncNotifier } from './local-sync-notifier';

/** The PostgreSQL channel that carries wake-ups while Redis is away. */
const FALLBACK_CHANNEL = 'hearth_sync_notify';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; wake keys travel in parts below that. */
const MAX_PAYLOAD_BYTES = 7_000;

/**
 * The notifier across processes: a notification wakes this process's waiters at once and is
 * published on a Redis channel that every other Hearth process subscribes to. While Redis is away
 * the same news goes out by PostgreSQL NOTIFY instead, which every process also listens to, and
 * when Redis comes back every waiter here is woken once to read what it may have missed. Redis
 * and NOTIFY only wake; what a woken request sends is read from PostgreSQL, so a lost message
 * costs at most a wait until the request's timeout, never an event.
 */
export class RedisSyncNotifier extends LocalSyncNotifier {
  private readonly logger = new Logger(RedisSyncNotifier.name);
  private readonly broadcast: RedisBroadcast;
  private readonly origin = randomUUID();
  private fallbackListener: ChannelListener | undefined;

  /** `channel` is shared by every process of one server; specs pass their own to stay apart. */
  constructor(
    redisUrl: string,
    private readonly postgres: PostgresNotifications,
    channel = 'hearth:sync:notify',
  ) {
    super();
    this.broadcast = new RedisBroadcast(redisUrl, channel);
  }

  /** Resolves once the subscription is in place, so no notification published after start is missed. */
  start(): Promise<void> {
    this.fallbackListener = this.postgres.listen(FALLBACK_CHANNEL, {
      message: (payload) => this.heardByPostgres(payload),
      live: () => undefined,
    });
    return this.broadcast.start(
      (body) => this.wake(wakeKeys((body as { keys?: unknown } | null)?.keys)),
      () => this.wakeEveryWaiter(),
    );
  }

  override notify(keys: readonly string[]): void {
    this.wake(keys);
    this.broadcast.publish({ keys }, () => this.notifyByPostgres(keys));
  }

  override onModuleDestroy(): void {
    super.onModuleDestroy();
    void this.broadcast.close();
    void this.fallbackListener?.close();
  }

  private notifyByPostgres(keys: readonly string[]): void {
    for (const part of partsUnder(MAX_PAYLOAD_BYTES, keys))
      this.postgres.notify(FALLBACK_CHANNEL, JSON.stringify({ origin: this.origin, keys: part }));
  }

  private heardByPostgres(payload: string): void {
    try {
      const { origin, keys } = JSON.parse(payload) as { origin?: unknown; keys?: unknown };
      if (origin !== this.origin) this.wake(wakeKeys(keys));
    } catch {
      this.logger.warn('Ignored a malformed wake-up');
    }
  }
}

function wakeKeys(keys: unknown): string[] {
  return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
}

/** Splits `keys` into lists whose JSON stays under `maxBytes`, leaving room for the envelope. */
function partsUnder(maxBytes: number, keys: readonly string[]): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let bytes = 0;
  for (const key of keys) {
    const size = Buffer.byteLength(JSON.stringify(key)) + 1;
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(key);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
