import { membershipsFingerprint, type MembershipRow } from '../storage/sync.repository';

/** Rows kept in all (some 50 MB): enough for every user syncing on one process; the least recently used go first. */
const MAX_ROWS = 200_000;

/**
 * Each user's membership rows, kept under their fingerprint: a sync reads the fingerprint of the
 * rows as they stand now with its stream positions (one statement) and takes the rows from here
 * when it matches. Nothing is ever invalidated, so nothing can be served stale, whichever process
 * committed the change: a membership change moves the fingerprint, and the old rows are no longer
 * asked for.
 */
export class MembershipCache {
  private readonly byUser = new Map<string, { fingerprint: string; rows: readonly MembershipRow[] }>();
  private rowCount = 0;

  get(userId: string, fingerprint: string): MembershipRow[] | undefined {
    const entry = this.byUser.get(userId);
    if (entry?.fingerprint !== fingerprint) return undefined;
    this.byUser.delete(userId);
    this.byUser.set(userId, entry);
    return [...entry.rows];
  }

  /** The rows kept last for the user, whatever their fingerprint: a guess of what they are now, never an answer. */
  latest(userId: string): readonly MembershipRow[] | undefined {
    return this.byUser.get(userId)?.rows;
  }

  /** Keeps rows under their own fingerprint, whatever the caller's was: a commit may have come in between. */
  set(userId: string, rows: readonly MembershipRow[]): void {
    this.forget(userId);
    this.byUser.set(userId, { fingerprint: membershipsFingerprint(rows), rows: [...rows] });
    this.rowCount += rows.length;
    while (this.rowCount > MAX_ROWS && this.byUser.size > 1) this.forget(this.byUser.keys().next().value as string);
  }

  private forget(userId: string): void {
    this.rowCount -= this.byUser.get(userId)?.rows.length ?? 0;
    this.byUser.delete(userId);
  }
}
