import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedStatement, queryPrepared, queryRows } from '@hearth/storage';

export interface UnreadCounts {
  readonly notification_count: number;
  readonly highlight_count: number;
}

/**
 * A receipt's thread scope: '' (unthreaded) covers every thread, 'main' the timeline (stored as
 * thread ''), anything else that thread. $4 is the receipt's thread.
 */
const IN_RECEIPT_SCOPE = `($4 = '' OR thread_id = CASE WHEN $4 = 'main' THEN '' ELSE $4 END)`;

/**
 * CTEs that take deleted notifications' share out of the counts, given a CTE `gone` of the rows
 * deleted (user_id, room_id, thread_id, highlight) and the counts locked already, in key order: a
 * count left at nothing goes, the others are lowered. Whatever deletes notifications uses it.
 */
export const LOWER_COUNTS_BY_GONE = `per_thread AS (
    SELECT user_id, room_id, thread_id, count(*) AS notifications, count(*) FILTER (WHERE highlight) AS highlights
      FROM gone GROUP BY user_id, room_id, thread_id),
  emptied AS (
    DELETE FROM event_push_summary s USING per_thread p
     WHERE s.user_id = p.user_id AND s.room_id = p.room_id AND s.thread_id = p.thread_id
       AND s.notifications <= p.notifications),
  lowered AS (
    UPDATE event_push_summary s
       SET notifications = s.notifications - p.notifications, highlights = s.highlights - p.highlights
      FROM per_thread p
     WHERE s.user_id = p.user_id AND s.room_id = p.room_id AND s.thread_id = p.thread_id
       AND s.notifications > p.notifications)`;

/** Whose unread counts in which room: one user, their rooms. */
export interface UnreadAsk {
  readonly userId: string;
  readonly roomIds: readonly string[];
}

/**
 * The counts per (user, room, thread) of the pairs given as two arrays ($1 users, $2 rooms). Every
 * woken sync reads it, so it is prepared: PostgreSQL keeps a generic plan for it after five
 * executions (0.08 ms of planning a call before), and plans again when an ANALYZE changes the
 * statistics of event_push_summary, so a plan made while the table was small does not outlive that.
 */
const UNREAD_OF_PAIRS = preparedStatement(
  'unread_of_pairs',
  `SELECT s.user_id, s.room_id, s.thread_id, s.notifications, s.highlights
    FROM (SELECT DISTINCT q.user_id, q.room_id FROM unnest($1::text[], $2::text[]) AS q (user_id, room_id)) q
    JOIN event_push_summary s ON s.user_id = q.user_id AND s.room_id = q.room_id`,
);

/**
 * The member's ($1) unread notifications across every room, counted as `ofRooms` counts them (the
 * badge a push carries): a CTE to put in a WITH list, then `unread_total.total`.
 */
export const UNREAD_TOTAL_CTES = `unread_total AS (
    SELECT COALESCE(sum(s.notifications), 0) AS total FROM event_push_summary s WHERE s.user_id = $1)`;

/**
 * The notifications the event writers store per member (event_push_actions) turned into the
 * unread counts sync reports, per room and thread. A receipt deletes the rows it covers, so what
 * is left is unread. Their counts are kept beside them (event_push_summary): the write statement
 * adds to them as it stores notifications, and whatever deletes rows takes their share out in the
 * same transaction. A sync reads a count per room, however long the backlog of a member who never
 * reads: counting rows cost every woken sync of 100 such members 11 ms of database time per message.
 * Every writer of the counts locks a member's rows in key order, so that none can deadlock another.
 */
@Injectable()
export class NotificationCounts {
  /** Per room, per thread ('' = main timeline): what the user has not read. */
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
    const rows = await queryPrepared<{
      user_id: string;
      room_id: string;
      thread_id: string;
      notifications: string;
      highlights: string;
    }>(em, UNREAD_OF_PAIRS, [pairs.map(([userId]) => userId), pairs.map(([, roomId]) => roomId)]);
    for (const row of rows) {
      if (Number(row.notifications) <= 0) continue;
      byUser
        .get(row.user_id)
        ?.get(row.room_id)
        ?.set(row.thread_id, {
          notification_count: Number(row.notifications),
          highlight_count: Number(row.highlights),
        });
    }
  }

  /**
   * In a read receipt's transaction: the notifications it covers are never counted again, so
   * they go, with their share of the counts. `threadId` is the receipt's: '' for an unthreaded
   * receipt (every thread), 'main' for the timeline, or a thread's root.
   */
  async forgetRead(
    roomId: string,
    userId: string,
    threadId: string,
    streamOrdering: number,
    em: EntityManager,
  ): Promise<void> {
    // The counts first, in key order (see above); the next statement's snapshot is taken after
    // any writer that held them committed, so it sees that writer's rows and counts together.
    await em.query(
      'SELECT 1 FROM event_push_summary WHERE user_id = $1 AND room_id = $2 ORDER BY thread_id FOR UPDATE',
      [userId, roomId],
    );
    await em.query(
      `WITH gone AS (
         DELETE FROM event_push_actions WHERE user_id = $1 AND room_id = $2 AND stream_ordering <= $3 AND ${IN_RECEIPT_SCOPE}
         RETURNING user_id, room_id, thread_id, highlight),
       ${LOWER_COUNTS_BY_GONE}
       SELECT count(*) FROM gone`,
      [userId, roomId, streamOrdering, threadId],
    );
  }

  /**
   * Up to `limit` of the user's notifications go, with their share of the counts, in the caller's
   * transaction (erasure: a batch a transaction, since a send that notifies the user waits for
   * their counts while holding the events position counter, and so every send would wait for a
   * backlog of any length deleted at once). Answers how many went.
   */
  async forgetSomeOf(userId: string, limit: number, em: EntityManager): Promise<number> {
    await em.query('SELECT 1 FROM event_push_summary WHERE user_id = $1 ORDER BY room_id, thread_id FOR UPDATE', [
      userId,
    ]);
    const [gone] = await queryRows<{ n: number }>(
      em,
      `WITH doomed AS (
         SELECT room_id, thread_id, stream_ordering FROM event_push_actions WHERE user_id = $1 LIMIT $2),
       gone AS (
         DELETE FROM event_push_actions a USING doomed d
          WHERE a.user_id = $1 AND a.room_id = d.room_id AND a.thread_id = d.thread_id
            AND a.stream_ordering = d.stream_ordering
         RETURNING a.user_id, a.room_id, a.thread_id, a.highlight),
       ${LOWER_COUNTS_BY_GONE}
       SELECT count(*)::int AS n FROM gone`,
      [userId, limit],
    );
    return gone?.n ?? 0;
  }
}
