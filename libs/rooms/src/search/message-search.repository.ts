import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { SearchCursor } from './search-token';

export interface SearchHit {
  readonly eventId: string;
  readonly roomId: string;
  readonly rank: number;
  readonly stream: number;
}

export interface SearchPageRequest {
  readonly rooms: readonly string[];
  /** `word:* & word:*` (toPrefixTsQuery). */
  readonly tsQuery: string;
  readonly senders?: readonly string[];
  readonly notSenders: readonly string[];
  readonly orderBy: 'rank' | 'recent';
  readonly after?: SearchCursor;
  readonly limit: number;
}

/**
 * The same expression as the events_message_search index (MessageSearch migration), so that the
 * planner uses it; a change here needs a new index.
 */
const BODY_VECTOR = `to_tsvector('simple', COALESCE(e.pdu->'content'->>'body', ''))`;

/** Message bodies matching a full-text query, in the given rooms, best or newest first. */
@Injectable()
export class MessageSearchRepository {
  /** Rooms whose history the user may search: those they are in, and those they left or were banned from (up to then). */
  async searchableRooms(userId: string, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ room_id: string }>(
      em,
      `SELECT room_id FROM current_state
       WHERE type = 'm.room.member' AND state_key = $1 AND membership IN ('join', 'leave', 'ban')`,
      [userId],
    );
    return rows.map((row) => row.room_id);
  }

  async page(request: SearchPageRequest, em: EntityManager): Promise<SearchHit[]> {
    const parameters: unknown[] = [request.rooms, request.tsQuery, request.limit];
    const next = (value: unknown) => `$${parameters.push(value)}`;
    const conditions: string[] = [];
    if (request.senders) conditions.push(`e.sender = ANY(${next(request.senders)}::text[])`);
    if (request.notSenders.length > 0) conditions.push(`e.sender <> ALL(${next(request.notSenders)}::text[])`);
    if (request.after && request.orderBy === 'rank')
      conditions.push(
        `(ts_rank(${BODY_VECTOR}, q), e.stream_ordering) < (${next(request.after.rank)}::real, ${next(request.after.stream)}::bigint)`,
      );
    if (request.after && request.orderBy === 'recent')
      conditions.push(`e.stream_ordering < ${next(request.after.stream)}::bigint`);
    const order = request.orderBy === 'rank' ? 'rank DESC, e.stream_ordering DESC' : 'e.stream_ordering DESC';
    const rows = await queryRows<{ event_id: string; room_id: string; rank: number; stream_ordering: string }>(
      em,
      `SELECT e.event_id, e.room_id, ts_rank(${BODY_VECTOR}, q) AS rank, e.stream_ordering
       FROM events e, to_tsquery('simple', $2) q
       WHERE e.type = 'm.room.message' AND e.room_id = ANY($1::text[]) AND e.redacted_by IS NULL
         AND ${BODY_VECTOR} @@ q
         ${conditions.map((c) => `AND ${c}`).join(' ')}
       ORDER BY ${order}
       LIMIT $3`,
      parameters,
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      roomId: row.room_id,
      rank: Number(row.rank),
      stream: Number(row.stream_ordering),
    }));
  }

  /** How many messages match in these rooms before history visibility is applied: the spec's approximate count. */
  async count(request: Pick<SearchPageRequest, 'rooms' | 'tsQuery'>, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      em,
      `SELECT count(*) AS count FROM events e, to_tsquery('simple', $2) q
       WHERE e.type = 'm.room.message' AND e.room_id = ANY($1::text[]) AND e.redacted_by IS NULL AND ${BODY_VECTOR} @@ q`,
      [request.rooms, request.tsQuery],
    );
    return Number(rows[0]?.count ?? 0);
  }
}
