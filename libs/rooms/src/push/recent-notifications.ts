import { Injectable } from '@nestjs/common';
import type { CommittedNotification } from './committed-notification';

/** The timeline positions (from, to] one write of this process committed, with every notification it stored. */
interface CommittedRange {
  readonly from: number;
  readonly to: number;
  readonly notifications: readonly CommittedNotification[];
}

/** Ranges kept; a reader further behind reads the database. */
const MAX_RANGES = 2_000;

/**
 * The notifications this process's own writes committed lately, by timeline position, so that
 * the readers run after every commit (the push feed, the back-at notices) need not read back
 * what was written a moment ago. Only an unbroken run of this process's ranges from the reader's
 * position is answered from here: positions another process took leave a gap, and the database
 * answers from there.
 */
@Injectable()
export class RecentNotifications {
  private readonly byStart = new Map<number, CommittedRange>();
  private newest = 0;

  /** After the commit of a write that took positions (from, to]. */
  record(from: number, to: number, notifications: readonly CommittedNotification[]): void {
    if (to <= from) return;
    this.byStart.set(from, { from, to, notifications });
    this.newest = Math.max(this.newest, to);
    // Writes commit in position order, so the first range in the map is the oldest.
    if (this.byStart.size > MAX_RANGES) this.byStart.delete(this.byStart.keys().next().value as number);
  }

  /**
   * The notifications of the unbroken run of ranges from `after`, at most `window` positions past it
   * (but at least one range), or undefined when no range starts there. `more` says another range
   * is known beyond a gap, to be read from the database.
   */
  since(
    after: number,
    window: number,
  ): { notifications: CommittedNotification[]; upTo: number; more: boolean } | undefined {
    let range = this.byStart.get(after);
    if (!range) return undefined;
    const notifications: CommittedNotification[] = [];
    let upTo = after;
    while (range && (upTo === after || range.to - after <= window)) {
      notifications.push(...range.notifications);
      upTo = range.to;
      range = this.byStart.get(upTo);
    }
    return { notifications, upTo, more: this.newest > upTo };
  }
}
