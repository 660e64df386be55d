/** Watched rooms kept in all (some 8 MB of references): the least recently answered devices go first. */
const MAX_WATCHED = 1_000_000;
/**
 * A point older than this is not resumed: the notifier forgets keys notified over a minute ago
 * (LocalSyncNotifier), and a client that comes back this late reads afresh anyway.
 */
const RESUMABLE_FOR_MS = 30_000;

/** Where a device's last answer left off: its token, the notifier mark taken before reading it, the rooms to watch. */
export interface WaitPoint {
  readonly mark: number;
  readonly watched: readonly string[];
}

/**
 * A long-polling client asks again at once with the token it was just given. That token holds
 * every stream's position as read after `mark`, so whatever committed since then has notified
 * one of the watched keys after `mark` (the same reasoning a waiting request relies on): the new
 * request may wait on the old mark straight away, without reading that nothing moved.
 */
export class WaitPoints {
  private readonly byDevice = new Map<string, WaitPoint & { readonly token: string; readonly at: number }>();
  private watchedCount = 0;

  /** Only for a token that holds every stream's position as read (not a partial to-device batch). */
  keep(userId: string, deviceId: string, token: string, point: WaitPoint): void {
    const key = deviceKey(userId, deviceId);
    this.forget(key);
    this.byDevice.set(key, { ...point, token, at: Date.now() });
    this.watchedCount += point.watched.length;
    while (this.watchedCount > MAX_WATCHED && this.byDevice.size > 1)
      this.forget(this.byDevice.keys().next().value as string);
  }

  /** The point the device's last answer left off at, when `token` is that answer's and it is recent. */
  resume(userId: string, deviceId: string, token: string): WaitPoint | undefined {
    const point = this.byDevice.get(deviceKey(userId, deviceId));
    if (point?.token !== token || Date.now() - point.at > RESUMABLE_FOR_MS) return undefined;
    return point;
  }

  private forget(key: string): void {
    this.watchedCount -= this.byDevice.get(key)?.watched.length ?? 0;
    this.byDevice.delete(key);
  }
}

function deviceKey(userId: string, deviceId: string): string {
  return `${userId}\n${deviceId}`;
}
