import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows, TransactionRunner } from '@hearth/storage';

export interface UnreadCounts {
  readonly notification_count: number;
  readonly highlight_count: number;
}

/** Unread notifications of one member in one room and thread past which they are folded into a summary. */
export const FOLD_AT = 1000;

/**
 * A receipt's thread scope: '' (unthreaded) covers every thread, 'main' the timeline (stored as
 * thread ''), anything else that thread. $4 is the receipt's thread.
 */
const IN_RECEIPT_SCOPE = `($4 = '' OR thread_id = CASE WHEN $4 = 'main' THEN '' ELSE $4 END)`;

/**
 * The member's ($1) read positions by room and thread, in the rooms `roomFilter` keeps; a
 * notification's is the later of the unthreaded receipt and its thread's own.
 */
const readPositions = (roomFilter: string) => `read AS MATERIALIZED (
  SELECT r.room_id, r.thread_id, max(r.stream_ordering) AS position FROM receipts r
   WHERE r.user_id = $1 ${roomFilter} AND r.receipt_type IN ('m.read', 'm.read.private')
   GROUP BY r.room_id, r.thread_id)`;
const READ_POSITIONS = readPositions('AND r.room_id = ANY($2::text[])');
const READ_JOIN = (alias: string) => `
  LEFT JOIN read unthreaded ON unthreaded.room_id = ${alias}.room_id AND unthreaded.thread_id = ''
  LEFT JOIN read threaded ON threaded.room_id = ${alias}.room_id AND threaded.thread_id = CASE WHEN ${alias}.thread_id = '' THEN 'main' ELSE ${alias}.thread_id END`;
const UNREAD = (alias: string) =>
  `${alias}.stream_ordering > GREATEST(COALESCE(unthreaded.position, 0), COALESCE(threaded.position, 0))`;

/**
 * The member's ($1) unread notifications across every room, counted as `ofRooms` counts them (the
 * badge a push carries): a CTE to put in a WITH list, then `unread_total.total`.
 */
export const UNREAD_TOTAL_CTES = `${readPositions('')},
  unread_total AS (
    SELECT (SELECT count(*) FROM event_push_actions a ${READ_JOIN('a')} WHERE a.user_id = $1 AND ${UNREAD('a')})
         + (SELECT COALESCE(sum(s.notifications), 0) FROM event_push_summary s WHERE s.user_id = $1) AS total)`;

/**
 * The notifications the event writers store per member (event_push_actions) turned into the
 * unread counts sync reports, per room and thread. A receipt deletes what it covers. A member who
 * does not read (a bot, a muted busy room) would otherwise be counted row by row on every sync:
 * once a room and thread hold FOLD_AT unread for them, those rows move to
 * event_push_actions_folded and their counts into event_push_summary, which stays equal to the
 * folded rows' counts, so receipts that land among them keep the counts exact.
 */
@Injectable()
export class NotificationCounts {
  private readonly logger = new Logger(NotificationCounts.name);
  private readonly folding = new Set<string>();

  constructor(private readonly tx: TransactionRunner) {}

  /** Per room, per thread ('' = main timeline): what the user has not read. Starts folding where it is a lot. */
  async ofRooms(
    roomIds: readonly string[],
    userId: string,
    em: EntityManager,
  ): Promise<Map<string, Map<string, UnreadCounts>>> {
    const result = new Map(roomIds.map((roomId) => [roomId, new Map<string, UnreadCounts>()]));
    if (roomIds.length === 0) return result;
    const rows = await queryRows<{
      room_id: string;
      thread_id: string;
      notifications: string;
      highlights: string;
      unfolded: string;
    }>(
      em,
      `WITH ${READ_POSITIONS},
       unfolded AS (
         SELECT a.room_id, a.thread_id, count(*) AS notifications, count(*) FILTER (WHERE a.highlight) AS highlights
           FROM event_push_actions a ${READ_JOIN('a')}
          WHERE a.user_id = $1 AND a.room_id = ANY($2::text[]) AND ${UNREAD('a')}
          GROUP BY a.room_id, a.thread_id),
       folded AS (SELECT s.room_id, s.thread_id, s.notifications, s.highlights FROM event_push_summary s WHERE s.user_id = $1 AND s.room_id = ANY($2::text[]))
       SELECT COALESCE(u.room_id, f.room_id) AS room_id, COALESCE(u.thread_id, f.thread_id) AS thread_id,
              COALESCE(u.notifications, 0) + COALESCE(f.notifications, 0) AS notifications,
              COALESCE(u.highlights, 0) + COALESCE(f.highlights, 0) AS highlights,
              COALESCE(u.notifications, 0) AS unfolded
         FROM unfolded u FULL JOIN folded f ON f.room_id = u.room_id AND f.thread_id = u.thread_id`,
      [userId, roomIds],
    );
    for (const row of rows) {
      if (Number(row.notifications) === 0) continue;
      result.get(row.room_id)?.set(row.thread_id, {
        notification_count: Number(row.notifications),
        highlight_count: Number(row.highlights),
      });
      if (Number(row.unfolded) >= FOLD_AT) this.foldLater(userId, row.room_id, row.thread_id);
    }
    return result;
  }

  /**
   * Moves the member's unread notifications in one room and thread out of the rows counted one
   * by one, adding their counts to the summary. Rows a receipt already covers (none, unless they
   * predate receipts deleting them) are dropped rather than folded.
   */
  async fold(userId: string, roomId: string, threadId: string): Promise<void> {
    await this.tx.run((em) =>
      em.query(
        `WITH ${READ_POSITIONS},
         moved AS (
           DELETE FROM event_push_actions a WHERE a.user_id = $1 AND a.room_id = $2[1] AND a.thread_id = $3
           RETURNING a.user_id, a.room_id, a.event_id, a.stream_ordering, a.thread_id, a.highlight),
         unread AS (SELECT a.* FROM moved a ${READ_JOIN('a')} WHERE ${UNREAD('a')}),
         kept AS (
           INSERT INTO event_push_actions_folded (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
           SELECT user_id, room_id, event_id, stream_ordering, thread_id, highlight FROM unread)
         INSERT INTO event_push_summary (user_id, room_id, thread_id, notifications, highlights)
         SELECT $1, $2[1], $3, count(*), count(*) FILTER (WHERE highlight) FROM unread HAVING count(*) > 0
         ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET
           notifications = event_push_summary.notifications + EXCLUDED.notifications,
           highlights = event_push_summary.highlights + EXCLUDED.highlights`,
        [userId, [roomId], threadId],
      ),
    );
  }

  /**
   * In a read receipt's transaction: the notifications it covers are never counted again, so
   * they go, folded ones with their share of the summary. `threadId` is the receipt's: '' for an
   * unthreaded receipt (every thread), 'main' for the timeline, or a thread's root.
   */
  async forgetRead(
    roomId: string,
    userId: string,
    threadId: string,
    streamOrdering: number,
    em: EntityManager,
  ): Promise<void> {
    const values = [userId, roomId, streamOrdering, threadId];
    await em.query(
      `DELETE FROM event_push_actions WHERE user_id = $1 AND room_id = $2 AND stream_ordering <= $3 AND ${IN_RECEIPT_SCOPE}`,
      values,
    );
    // Its own statement, after the one above: had a fold been moving these rows, that statement
    // waited for it to commit, so this one's snapshot holds what the fold moved.
    await em.query(
      `WITH folded AS (
         DELETE FROM event_push_actions_folded WHERE user_id = $1 AND room_id = $2 AND stream_ordering <= $3 AND ${IN_RECEIPT_SCOPE}
         RETURNING thread_id, highlight),
       per_thread AS (SELECT thread_id, count(*) AS notifications, count(*) FILTER (WHERE highlight) AS highlights FROM folded GROUP BY thread_id),
       emptied AS (
         DELETE FROM event_push_summary s USING per_thread p
          WHERE s.user_id = $1 AND s.room_id = $2 AND s.thread_id = p.thread_id AND s.notifications <= p.notifications)
       UPDATE event_push_summary s SET notifications = s.notifications - p.notifications, highlights = s.highlights - p.highlights
         FROM per_thread p WHERE s.user_id = $1 AND s.room_id = $2 AND s.thread_id = p.thread_id AND s.notifications > p.notifications`,
      values,
    );
  }

  /** One fold per member, room and thread at a time, after the sync that noticed it has its answer. */
  private foldLater(userId: string, roomId: string, threadId: string): void {
    const key = `${userId}\u0000${roomId}\u0000${threadId}`;
    if (this.folding.has(key)) return;
    this.folding.add(key);
    setImmediate(() => {
      this.fold(userId, roomId, threadId)
        .catch((error: unknown) =>
          this.logger.warn(`folding notifications of ${userId} in ${roomId} failed: ${String(error)}`),
        )
        .finally(() => this.folding.delete(key));
    });
  }
}
