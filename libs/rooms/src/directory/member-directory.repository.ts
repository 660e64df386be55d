import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { foldedWordsSql, foldSql, queryRows } from '@hearth/storage';
import type { DirectoryMatch, DirectoryQuery } from './directory-match';

interface MatchRow {
  user_id: string;
  display_name: string | null;
  avatar_url: string | null;
  rank: number;
  shared: boolean;
}

/**
 * People seen in rooms (local or remote), with the profile their newest join event carries, whom
 * the searcher may find: those who share a room with them, and those joined to a room with a
 * public join rule or world_readable history (the spec's minimum, and Synapse's default).
 */
@Injectable()
export class MemberDirectoryRepository {
  async search(searcher: string, query: DirectoryQuery, em: EntityManager): Promise<DirectoryMatch[]> {
    const wordConditions = query.words.map((_, i) => `position(' ' || $${i + 4} in v.words) > 0`);
    const rows = await queryRows<MatchRow>(
      em,
      `WITH my_rooms AS (
         SELECT room_id FROM current_state
         WHERE type = 'm.room.member' AND state_key = $1 AND membership = 'join'
       ), open_rooms AS (
         SELECT cs.room_id FROM current_state cs JOIN events e ON e.event_id = cs.event_id
         WHERE cs.state_key = '' AND (
           (cs.type = 'm.room.join_rules' AND e.pdu->'content'->>'join_rule' = 'public') OR
           (cs.type = 'm.room.history_visibility' AND e.pdu->'content'->>'history_visibility' = 'world_readable'))
       ), members AS (
         SELECT DISTINCT ON (m.state_key)
           m.state_key AS user_id,
           e.pdu->'content'->>'displayname' AS display_name,
           e.pdu->'content'->>'avatar_url' AS avatar_url,
           m.room_id IN (SELECT room_id FROM my_rooms) AS shared
         FROM current_state m JOIN events e ON e.event_id = m.event_id
         WHERE m.type = 'm.room.member' AND m.membership = 'join'
           AND (m.room_id IN (SELECT room_id FROM my_rooms) OR m.room_id IN (SELECT room_id FROM open_rooms))
         ORDER BY m.state_key, shared DESC, e.stream_ordering DESC
       ), v AS (
         SELECT members.*,
           ${foldedWordsSql(`coalesce(display_name, '') || ' ' || user_id`)} AS words,
           ${foldSql(`coalesce(display_name, '')`)} AS folded_name,
           ${foldSql(`substr(split_part(user_id, ':', 1), 2)`)} AS folded_localpart
         FROM members
       )
       SELECT v.user_id, v.display_name, v.avatar_url, v.shared,
         CASE WHEN v.folded_name = $2 THEN 0
              WHEN starts_with(v.folded_name, $2) OR starts_with(v.folded_localpart, $2) THEN 1
              ELSE 2 END AS rank
       FROM v
       WHERE ${wordConditions.join(' AND ')}
       ORDER BY rank, v.shared DESC, (v.display_name IS NULL), v.folded_name, v.user_id
       LIMIT $3`,
      [searcher, query.phrase, query.limit, ...query.words],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      displayName: row.display_name,
      avatarUrl: row.avatar_url,
      rank: Number(row.rank),
      shared: row.shared,
    }));
  }
}
