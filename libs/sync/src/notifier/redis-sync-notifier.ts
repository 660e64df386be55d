import { RedisBroadcast } from '@hearth/storage';
import { LocalSyncNotifier } from './local-sync-notifier';

/**
 * The notifier across processes: a notification wakes this process's waiters at once and is
 * published on a Redis channel that every other Hearth process subscribes to. Redis only
 * wakes; what a woken request sends is read from PostgreSQL, so a lost message costs at most a
 * wait until the request's timeout, never an event.
 */
export class RedisSyncNotifier extends LocalSyncNotifier {
  private readonly broadcast: RedisBroadcast;

  /** `channel` is shared by every process of one server; specs pass their own to stay apart. */
  constructor(redisUrl: string, channel = 'hearth:sync:notify') {
    super();
    this.broadcast = new RedisBroadcast(redisUrl, channel);
  }

  /** Resolves once the subscription is in place, so no notification published after start is missed. */
  start(): Promise<void> {
    return this.broadcast.start((body) => {
      const keys = (body as { keys?: unknown } | null)?.keys;
      if (Array.isArray(keys)) this.wake(keys.filter((key): key is string => typeof key === 'string'));
    });
  }

  override notify(keys: readonly string[]): void {
    this.wake(keys);
    this.broadcast.publish({ keys });
  }

  override onModuleDestroy(): void {
    super.onModuleDestroy();
    void this.broadcast.close();
  }
}
