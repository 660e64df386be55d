import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SyncNotifier } from './sync-notifier';

interface Waiter {
  readonly keys: readonly string[];
  done(notified: boolean): void;
}

/** Keys notified this long ago cannot matter to a request still deciding whether to wait. */
const FORGET_AFTER_MS = 60_000;

/**
 * The in-process notifier. Each notification takes a sequence number; a request that read the
 * database after mark m and finds nothing waits only if none of its keys was notified after m.
 */
@Injectable()
export class LocalSyncNotifier extends SyncNotifier implements OnModuleDestroy {
  private sequence = 0;
  /** The sequence of the last time news may have been lost: a mark from before it waits on nothing. */
  private everyoneWokenAt = 0;
  private closing = false;
  private readonly lastNotified = new Map<string, { sequence: number; at: number }>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly sweeper = setInterval(() => this.forgetOldKeys(), FORGET_AFTER_MS).unref();

  get closed(): boolean {
    return this.closing;
  }

  mark(): number {
    return this.sequence;
  }

  wait(keys: readonly string[], mark: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.everyoneWokenAt > mark || keys.some((key) => (this.lastNotified.get(key)?.sequence ?? 0) > mark))
      return Promise.resolve(true);
    if (timeoutMs <= 0 || signal?.aborted || this.closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (notified: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        for (const key of keys) {
          const set = this.waiters.get(key);
          set?.delete(waiter);
          if (set?.size === 0) this.waiters.delete(key);
        }
        resolve(notified);
      };
      const waiter: Waiter = { keys, done: finish };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const key of keys) {
        const set = this.waiters.get(key) ?? new Set<Waiter>();
        set.add(waiter);
        this.waiters.set(key, set);
      }
    });
  }

  notify(keys: readonly string[]): void {
    this.wake(keys);
  }

  /** Wakes waiters in this process only; adapters that carry notifications elsewhere call it on arrival. */
  protected wake(keys: readonly string[]): void {
    const sequence = ++this.sequence;
    const now = Date.now();
    const woken = new Set<Waiter>();
    for (const key of keys) {
      this.lastNotified.set(key, { sequence, at: now });
      for (const waiter of this.waiters.get(key) ?? []) woken.add(waiter);
    }
    for (const waiter of woken) waiter.done(true);
  }

  /**
   * Lets every waiting request read again: news for them may have been lost on the way here. A
   * request that read before now and waits later (one resuming a kept mark) reads again too.
   */
  protected wakeEveryWaiter(): void {
    this.wake([...this.waiters.keys()]);
    this.everyoneWokenAt = this.sequence;
  }

  onModuleDestroy(): void {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.done(false);
  }

  private forgetOldKeys(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [key, { at }] of this.lastNotified) if (at < cutoff) this.lastNotified.delete(key);
  }
}
