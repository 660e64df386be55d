import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

export type TimestampDirection = 'f' | 'b';

export interface EventAtTimestamp {
  readonly event_id: string;
  readonly origin_server_ts: number;
}

@Injectable()
export class EventByTimestampRepository {
  /**
   * The room's timeline event closest to `ts`: the first at or after it (`f`), or the last at or
   * before it (`b`); ties go to the earlier (`f`) or later (`b`) position in the timeline.
   */
  async closest(
    roomId: string,
    ts: number,
    dir: TimestampDirection,
    em: EntityManager,
  ): Promise<EventAtTimestamp | undefined> {
    const [bound, order] = dir === 'f' ? ['>=', 'ASC'] : ['<=', 'DESC'];
    const rows = await queryRows<{ event_id: string; origin_server_ts: string }>(
      em,
      `SELECT event_id, origin_server_ts FROM events
        WHERE room_id = $1 AND stream_ordering IS NOT NULL AND origin_server_ts ${bound} $2
        ORDER BY origin_server_ts ${order}, stream_ordering ${order} LIMIT 1`,
      [roomId, ts],
    );
    const row = rows[0];
    return row && { event_id: row.event_id, origin_server_ts: Number(row.origin_server_ts) };
  }

  /** Whether an event follows one we do not hold in the timeline: history we lack lies before it. */
  async followsGap(eventId: string, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      em,
      `SELECT 1 AS one FROM event_edges x LEFT JOIN events e ON e.event_id = x.prev_event_id
        WHERE x.event_id = $1 AND e.stream_ordering IS NULL LIMIT 1`,
      [eventId],
    );
    return rows.length > 0;
  }
}
