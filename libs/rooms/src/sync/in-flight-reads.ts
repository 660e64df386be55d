/**
 * Shares one read among callers asking the same thing at the same time: when one message wakes
 * 100 waiting syncs, they all ask for the room's events between the same two stream positions,
 * and one statement answers them all. Only reads in flight are shared, nothing is kept after: what
 * lies at or below a stream position does not change, so a shared answer is the one each would
 * have read.
 */
export class InFlightReads<T> {
  private readonly pending = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.pending.get(key);
    if (existing) return existing;
    const started = load().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }
}
