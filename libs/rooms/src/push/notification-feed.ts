import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import { UNREAD_TOTAL_CTES } from './notification-counts';
import type { CommittedNotification } from './committed-notification';
import { RecentNotifications } from './recent-notifications';

export type { CommittedNotification } from './committed-notification';

/** What a push gateway may be told about the event behind a notification. */
export interface NotifiedEvent {
  readonly type: string;
  readonly sender: string;
  readonly stateKey?: string;
  /** Absent when the event was redacted since. */
  readonly content?: Readonly<Record<string, unknown>>;
  readonly roomName?: string;
  readonly senderDisplayName?: string;
}

/**
 * Run after every commit of an event (the push feed, the back-at notices): the notifications of a
 * window of timeline positions past `$1`, up to the committed position. The bound is an index
 * condition, so the read costs the notifications it returns. Not a prepared statement: a
 * connection plans one once and keeps that plan, and a plan made while the table was small (a new
 * server) is a sequential scan that grows with the table until the next ANALYZE; this one is cheap
 * to plan afresh.
 */
const NOTIFICATIONS_SINCE = `WITH head AS (SELECT position FROM stream_positions WHERE stream = 'events')
  SELECT a.user_id, a.room_id, a.event_id, a.stream_ordering, a.highlight, head.position AS head
    FROM head LEFT JOIN event_push_actions a
      ON a.stream_ordering > $1 AND a.stream_ordering <= LEAST(head.position, $1 + $2)
   ORDER BY a.stream_ordering, a.user_id`;

/**
 * Reads of the notifications the event writers store with each event (event_push_actions), for
 * push: what committed past a position, and what a push for one tells the gateway (the badge,
 * the event). Timeline positions commit in order (see the SyncStreams migration), so every notification
 * at or below the committed `events` position is visible: a reader that remembers how far it read
 * never skips one.
 */
@Injectable()
export class NotificationFeed {
  constructor(private readonly recent: RecentNotifications) {}

  /**
   * Notifications committed after the timeline position `after`, oldest first, of at most `window`
   * positions; `upTo` is how far they reach, to be read past next time, and `more` whether more
   * has committed beyond it.
   */
  async since(
    after: number,
    window: number,
    em: EntityManager,
  ): Promise<{ notifications: CommittedNotification[]; upTo: number; more: boolean }> {
    const written = this.recent.since(after, window);
    if (written) return written;
    const rows = await queryRows<{
      user_id: string | null;
      room_id: string | null;
      event_id: string | null;
      stream_ordering: string | null;
      highlight: boolean | null;
      head: string;
    }>(em, NOTIFICATIONS_SINCE, [after, window]);
    const notifications = rows
      .filter((row) => row.event_id !== null)
      .map((row) => ({
        userId: row.user_id as string,
        roomId: row.room_id as string,
        eventId: row.event_id as string,
        streamOrdering: Number(row.stream_ordering),
        highlight: row.highlight === true,
      }));
    const head = Number(rows[0]?.head ?? after);
    const upTo = Math.max(after, Math.min(head, after + window));
    return { notifications, upTo, more: upTo < head };
  }

  /**
   * What a push for one notification tells the gateway, read in one statement: the member's unread
   * notifications across every room (spec `counts.unread`) and the event behind it, with the room's
   * name and the sender's display name now (absent when we do not hold it, or for no event).
   */
  async pushContext(
    userId: string,
    eventId: string | null,
    em: EntityManager,
  ): Promise<{ unread: number; event?: NotifiedEvent }> {
    const [row] = await queryRows<{
      unread: string | null;
      pdu: EventJson | null;
      redacted_by: string | null;
      room_name: unknown;
      sender_name: unknown;
    }>(
      em,
      `WITH ${UNREAD_TOTAL_CTES}
       SELECT unread_total.total AS unread, e.pdu, e.redacted_by,
              (SELECT n.pdu->'content'->'name' FROM current_state c JOIN events n ON n.event_id = c.event_id
                WHERE c.room_id = e.room_id AND c.type = 'm.room.name' AND c.state_key = '') AS room_name,
              (SELECT m.pdu->'content'->'displayname' FROM current_state c JOIN events m ON m.event_id = c.event_id
                WHERE c.room_id = e.room_id AND c.type = 'm.room.member' AND c.state_key = e.sender) AS sender_name
         FROM unread_total LEFT JOIN events e ON e.event_id = $2`,
      [userId, eventId],
    );
    const unread = Number(row?.unread ?? 0);
    if (!row?.pdu) return { unread };
    const { pdu } = row;
    return {
      unread,
      event: {
        type: pdu.type,
        sender: pdu.sender,
        ...(pdu.state_key !== undefined ? { stateKey: pdu.state_key } : {}),
        ...(row.redacted_by === null && pdu.content ? { content: pdu.content } : {}),
        ...(typeof row.room_name === 'string' && row.room_name !== '' ? { roomName: row.room_name } : {}),
        ...(typeof row.sender_name === 'string' && row.sender_name !== ''
          ? { senderDisplayName: row.sender_name }
          : {}),
      },
    };
  }
}

interface EventJson {
  readonly type: string;
  readonly sender: string;
  readonly state_key?: string;
  readonly content?: Record<string, unknown>;
}
