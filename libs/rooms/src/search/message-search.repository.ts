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

/** Messages' bodies as full-text vectors ('simple' configuration), a stored column with its GIN index (MessageSearch migration). */
const BODY_VECTOR = 'e.search_vector';
/** The count is the spec's "approximate count": past this many, counting costs more than it tells. */
export const MAX_COUNTED = 1000;

/** Message bodies matching a full-text query, in the given rooms, best or newest first. */
@Injectable()
export class MessageSearchRepository {
  /** Rooms whose history the user may search, with their membership now: those they are in, and those they left or were banned from (up to then). */
  async searchableRooms(userId: string, em: EntityManager): Promise<Array<{ roomId: string; membership: string }>> {
    const rows = await queryRows<{ room_id: string; membership: string }>(
      em,
      `SELECT room_id, membership FROM current_state
       WHERE type = 'm.room.member' AND state_key = $1 AND membership IN ('join', 'leave', 'ban')`,
      [userId],
    );
    return rows.map((row) => ({ roomId: row.room_id, membership: row.membership }));
  }

  async roomVersions(roomIds: readonly string[], em: EntityManager): Promise<Map<string, string>> {
    const rows = await queryRows<{ room_id: string; room_version: string }>(
      em,
      'SELECT room_id, room_version FROM rooms WHERE room_id = ANY($1::text[])',
      [roomIds],
    );
    return new Map(rows.map((row) => [row.room_id, row.room_version]));
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
       WHERE ${BODY_VECTOR} @@ q AND e.room_id = ANY($1::text[]) AND e.redacted_by IS NULL
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

  /** How many messages match in these rooms before history visibility is applied, up to MAX_COUNTED: the spec's approximate count. */
  async count(request: Pick<SearchPageRequest, 'rooms' | 'tsQuery'>, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      em,
      `SELECT count(*) AS count FROM (
         SELECT 1 FROM events e, to_tsquery('simple', $2) q
         WHERE ${BODY_VECTOR} @@ q AND e.room_id = ANY($1::text[]) AND e.redacted_by IS NULL
         LIMIT ${MAX_COUNTED}
       ) matches`,
      [request.rooms, request.tsQuery],
    );
    return Number(rows[0]?.count ?? 0);
  }
}
