import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

export interface RelationQuery {
  readonly parentId: string;
  readonly relType?: string;
  readonly eventType?: string;
  /** Stream position bound (see EventRepository.page for the token convention). */
  readonly from: number;
  readonly dir: 'b' | 'f';
  readonly limit: number;
}

@Injectable()
export class RelationRepository {
  async children(query: RelationQuery, em: EntityManager): Promise<Array<{ eventId: string; streamOrdering: number }>> {
    const comparison = query.dir === 'b' ? '<=' : '>';
    const order = query.dir === 'b' ? 'DESC' : 'ASC';
    const rows = await queryRows<{ event_id: string; stream_ordering: string }>(
      em,
      `SELECT event_id, stream_ordering FROM event_relations
        WHERE relates_to_id = $1 AND ($2::text IS NULL OR rel_type = $2) AND ($3::text IS NULL OR type = $3) AND stream_ordering ${comparison} $4
        ORDER BY stream_ordering ${order} LIMIT $5`,
      [query.parentId, query.relType ?? null, query.eventType ?? null, query.from, query.limit],
    );
    return rows.map((row) => ({ eventId: row.event_id, streamOrdering: Number(row.stream_ordering) }));
  }

  /** Thread roots of a room, most recently active first, with their reply count and latest reply. */
  async threads(roomId: string, before: number, limit: number, participant: string | undefined, em: EntityManager) {
    const rows = await queryRows<{
      root: string;
      latest: string;
      latest_id: string;
      count: string;
      participated: boolean;
    }>(
      em,
      `SELECT r.relates_to_id AS root, max(r.stream_ordering) AS latest,
              (array_agg(r.event_id ORDER BY r.stream_ordering DESC))[1] AS latest_id, count(*) AS count,
              bool_or(e.sender = $4) AS participated
         FROM event_relations r JOIN events e ON e.event_id = r.event_id
        WHERE r.room_id = $1 AND r.rel_type = 'm.thread'
        GROUP BY r.relates_to_id
       HAVING max(r.stream_ordering) <= $2
        ORDER BY latest DESC LIMIT $3`,
      [roomId, before, limit * 4, participant ?? ''],
    );
    return rows.map((row) => ({
      rootId: row.root,
      latest: Number(row.latest),
      latestId: row.latest_id,
      count: Number(row.count),
      participated: row.participated,
    }));
  }
}
