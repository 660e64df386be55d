import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

export interface DirectMessage {
  readonly sender: string;
  readonly displayname: string | null;
}

/** What the "back at" notices read and record: the event behind a notification, and the notices sent. */
@Injectable()
export class BackAtNoticesRepository {
  async eventsHead(em: EntityManager): Promise<number> {
    const rows: Array<{ position: string }> = await em.query(
      `SELECT position FROM stream_positions WHERE stream = 'events'`,
    );
    return Number(rows[0]?.position ?? 0);
  }

  /**
   * The sender of `eventId` when it is a message (not itself a notice) in a direct chat of
   * `userId`: a room in their `m.direct`, or one of exactly two joined members. With the
   * recipient's display name for the notice's text.
   */
  async directMessage(
    userId: string,
    roomId: string,
    eventId: string,
    em: EntityManager,
  ): Promise<DirectMessage | undefined> {
    const rows: Array<{ sender: string; displayname: string | null }> = await em.query(
      `SELECT e.pdu->>'sender' AS sender, (SELECT displayname FROM profiles WHERE user_id = $1) AS displayname
         FROM events e
        WHERE e.event_id = $3 AND e.pdu->>'type' IN ('m.room.message', 'm.room.encrypted')
          AND coalesce(e.pdu->'content'->>'msgtype', '') <> 'm.notice'
          AND (EXISTS (SELECT 1 FROM account_data a, jsonb_each(a.content) d, jsonb_array_elements_text(d.value) r
                        WHERE a.user_id = $1 AND a.room_id = '' AND a.type = 'm.direct'
                          AND jsonb_typeof(d.value) = 'array' AND r = $2)
               OR (SELECT count(*) FROM current_state c JOIN events m ON m.event_id = c.event_id
                    WHERE c.room_id = $2 AND c.type = 'm.room.member'
                      AND m.pdu->'content'->>'membership' = 'join') = 2)`,
      [userId, roomId, eventId],
    );
    return rows[0];
  }

  /** Claims the notice for this sender and off period: true for the one process (and event) that gets to send it. */
  async claim(userId: string, sender: string, backTs: number, em: EntityManager): Promise<boolean> {
    const rows = await queryRows(
      em,
      `INSERT INTO availability_notices (user_id, sender, back_ts) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, sender, backTs],
    );
    return rows.length > 0;
  }

  /** Notices of off periods that are over: no longer needed to hold back a second one. */
  async purgeEnded(now: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM availability_notices WHERE back_ts <= $1', [now]);
  }
}
