/**
 * Wakes waiting /sync requests. Keys name what a request waits for: `user:<id>` (account data,
 * invites, push rules) and `room:<id>` (timeline, receipts, typing). One port, two adapters: in
 * process (the embedded default) and over Redis pub/sub between processes.
 */
export abstract class SyncNotifier {
  /** A mark to pass to `wait`, taken before reading, so nothing notified meanwhile is missed. */
  abstract mark(): number;

  /** Resolves true when one of `keys` is notified after `mark`, false at the timeout or on abort. */
  abstract wait(keys: readonly string[], mark: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;

  /** Wakes every request waiting on one of `keys`, in every process. */
  abstract notify(keys: readonly string[]): void;

  /** True once the process is shutting down: waiting requests are let go and should answer at once. */
  abstract get closed(): boolean;
}

export const userKey = (userId: string): string => `user:${userId}`;
export const roomKey = (roomId: string): string => `room:${roomId}`;
