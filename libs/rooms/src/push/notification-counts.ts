import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows, TransactionRunner } from '@hearth/storage';

export interface UnreadCounts {
  readonly notification_count: number;
  readonly highlight_count: number;
}

/**
 * Unread notifications of one member in one room and thread past which they are folded into a
 * summary. Every message a member does not read wakes their sync, which counts their unread rows
 * one by one up to this many: 100 lurkers with 350 unread each cost the woken syncs' gathered count
 * 23 ms of database time per message; folded at 100, a member's count reads at most 100 rows.
 */
export const FOLD_AT = 100;

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

/** Whose unread counts in which room: one user, their rooms. */
export interface UnreadAsk {
  readonly userId: string;
  readonly roomIds: readonly string[];
}

/**
 * Unread notifications per (user, room, thread) of the pairs given as two arrays ($1 users, $2
 * rooms), counted as for one member below: the rows not covered by the member's read receipts,
 * plus the folded summary.
 */
const UNREAD_OF_PAIRS = `WITH asked AS MATERIALIZED (
    SELECT DISTINCT q.user_id, q.room_id FROM unnest($1::text[], $2::text[]) AS q (user_id, room_id)),
  read AS MATERIALIZED (
    SELECT r.user_id, r.room_id, r.thread_id, max(r.stream_ordering) AS position
      FROM asked q JOIN receipts r ON r.user_id = q.user_id AND r.room_id = q.room_id
     WHERE r.receipt_type IN ('m.read', 'm.read.private')
     GROUP BY r.user_id, r.room_id, r.thread_id),
  unfolded AS (
    SELECT a.user_id, a.room_id, a.thread_id, count(*) AS notifications, count(*) FILTER (WHERE a.highlight) AS highlights
      FROM asked q JOIN event_push_actions a ON a.user_id = q.user_id AND a.room_id = q.room_id
      LEFT JOIN read unthreaded
        ON unthreaded.user_id = a.user_id AND unthreaded.room_id = a.room_id AND unthreaded.thread_id = ''
      LEFT JOIN read threaded
        ON threaded.user_id = a.user_id AND threaded.room_id = a.room_id
       AND threaded.thread_id = CASE WHEN a.thread_id = '' THEN 'main' ELSE a.thread_id END
     WHERE ${UNREAD('a')}
     GROUP BY a.user_id, a.room_id, a.thread_id),
  folded AS (
    SELECT s.user_id, s.room_id, s.thread_id, s.notifications, s.highlights
      FROM asked q JOIN event_push_summary s ON s.user_id = q.user_id AND s.room_id = q.room_id)
  SELECT COALESCE(u.user_id, f.user_id) AS user_id, COALESCE(u.room_id, f.room_id) AS room_id,
         COALESCE(u.thread_id, f.thread_id) AS thread_id,
         COALESCE(u.notifications, 0) + COALESCE(f.notifications, 0) AS notifications,
         COALESCE(u.highlights, 0) + COALESCE(f.highlights, 0) AS highlights,
         COALESCE(u.notifications, 0) AS unfolded
    FROM unfolded u FULL JOIN folded f ON f.user_id = u.user_id AND f.room_id = u.room_id AND f.thread_id = u.thread_id`;

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
    const [counts] = await this.ofMany([{ userId, roomIds }], em);
    return counts ?? new Map();
  }

  /** `ofRooms` for several users at once, in one statement: an answer per ask, in order. */
  async ofMany(asks: readonly UnreadAsk[], em: EntityManager): Promise<Array<Map<string, Map<string, UnreadCounts>>>> {
    const byUser = new Map<string, Map<string, Map<string, UnreadCounts>>>();
    for (const { userId, roomIds } of asks) {
      const rooms = byUser.get(userId) ?? new Map<string, Map<string, UnreadCounts>>();
      for (const roomId of roomIds) if (!rooms.has(roomId)) rooms.set(roomId, new Map());
      byUser.set(userId, rooms);
    }
    const pairs = [...byUser].flatMap(([userId, rooms]) => [...rooms.keys()].map((roomId) => [userId, roomId]));
    if (pairs.length > 0) await this.readInto(byUser, pairs, em);
    return asks.map(({ userId, roomIds }) => {
      const rooms = byUser.get(userId);
      return new Map(roomIds.map((roomId) => [roomId, rooms?.get(roomId) ?? new Map<string, UnreadCounts>()]));
    });
  }

  private async readInto(
    byUser: Map<string, Map<string, Map<string, UnreadCounts>>>,
    pairs: ReadonlyArray<readonly string[]>,
    em: EntityManager,
  ): Promise<void> {
    const rows = await queryRows<{
      user_id: string;
      room_id: string;
      thread_id: string;
      notifications: string;
      highlights: string;
      unfolded: string;
    }>(em, UNREAD_OF_PAIRS, [pairs.map(([userId]) => userId), pairs.map(([, roomId]) => roomId)]);
    for (const row of rows) {
      if (Number(row.notifications) === 0) continue;
      byUser
        .get(row.user_id)
        ?.get(row.room_id)
        ?.set(row.thread_id, {
          notification_count: Number(row.notifications),
          highlight_count: Number(row.highlights),
        });
      if (Number(row.unfolded) >= FOLD_AT) this.foldLater(row.user_id, row.room_id, row.thread_id);
    }
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
