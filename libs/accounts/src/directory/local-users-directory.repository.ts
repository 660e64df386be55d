import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { foldedWordsSql, foldSql, queryRows } from '@hearth/storage';
import type { DirectoryMatch, DirectoryQuery } from '@hearth/rooms';

interface MatchRow {
  user_id: string;
  displayname: string | null;
  avatar_url: string | null;
  rank: number;
}

/** Every active local account matching a search, ranked as the room members are (for user_directory_search_all_local_users). */
@Injectable()
export class LocalUsersDirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async search(query: DirectoryQuery): Promise<DirectoryMatch[]> {
    const wordConditions = query.words.map((_, i) => `position(' ' || $${i + 3} in v.words) > 0`);
    const rows = await queryRows<MatchRow>(
      this.dataSource.manager,
      `WITH v AS (
         SELECT p.user_id, p.displayname, p.avatar_url, u.localpart,
           ${foldedWordsSql(`coalesce(p.displayname, '') || ' ' || p.user_id`)} AS words,
           ${foldSql(`coalesce(p.displayname, '')`)} AS folded_name
         FROM profiles p JOIN users u ON u.user_id = p.user_id
         WHERE u.deactivated_ts IS NULL
       )
       SELECT v.user_id, v.displayname, v.avatar_url,
         CASE WHEN v.folded_name = $1 THEN 0
              WHEN starts_with(v.folded_name, $1) OR starts_with(${foldSql('v.localpart')}, $1) THEN 1
              ELSE 2 END AS rank
       FROM v
       WHERE ${wordConditions.join(' AND ')}
       ORDER BY rank, (v.displayname IS NULL), v.folded_name, v.user_id
       LIMIT $2`,
      [query.phrase, query.limit, ...query.words],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      displayName: row.displayname,
      avatarUrl: row.avatar_url,
      rank: Number(row.rank),
      shared: false,
    }));
  }
}
