import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { MemberDirectory, type DirectoryMatch, type DirectoryQuery } from '@hearth/rooms';
import { foldedWords, foldTerm } from '@hearth/storage';
import { LocalUsersDirectoryRepository } from './local-users-directory.repository';

export interface DirectorySearch {
  readonly search_term?: unknown;
  readonly limit?: unknown;
}

export interface DirectoryResult {
  readonly results: Array<{ user_id: string; display_name?: string; avatar_url?: string }>;
  readonly limited: boolean;
}

const DEFAULT_LIMIT = 10;
/** More than any client lists; a larger limit is lowered, not refused. */
const MAX_LIMIT = 100;
/** A name has a handful of words; more only makes the query longer. */
const MAX_WORDS = 8;
const MAX_TERM_CHARS = 256;

/**
 * POST /user_directory/search (spec CS API "User directory"): people the searcher may find,
 * matched by word prefix on display name and handle, case- and accent-insensitively; the whole
 * display name first, then names and handles that start with the term, then later words; people
 * who share a room before people only seen in public rooms.
 */
@Injectable()
export class UserDirectoryService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly members: MemberDirectory,
    private readonly localUsers: LocalUsersDirectoryRepository,
  ) {}

  async search(searcher: string, request: DirectorySearch): Promise<DirectoryResult> {
    const query = parseQuery(request);
    if (query.words.length === 0) return { results: [], limited: false };
    // One more than asked for tells whether the list was cut.
    const wider = { ...query, limit: query.limit + 1 };
    const found = await this.members.search(searcher, wider);
    const all = this.config.accounts.directorySearchesAllLocalUsers
      ? merge(found, await this.localUsers.search(wider))
      : found;
    return {
      results: all.slice(0, query.limit).map(toResult),
      limited: all.length > query.limit,
    };
  }
}

function parseQuery(request: DirectorySearch): DirectoryQuery {
  const term = request.search_term;
  if (term === undefined) throw MatrixError.missingParam('search_term is required');
  if (typeof term !== 'string') throw MatrixError.badJson('search_term must be a string');
  const limit = request.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
    throw MatrixError.badJson('limit must be a non-negative integer');
  const bounded = term.slice(0, MAX_TERM_CHARS);
  return {
    words: foldedWords(bounded, MAX_WORDS),
    phrase: foldTerm(bounded.trim()),
    limit: Math.min(limit, MAX_LIMIT),
  };
}

/** Room members first where a user is in both lists (they carry `shared`), then in rank order. */
function merge(members: readonly DirectoryMatch[], locals: readonly DirectoryMatch[]): DirectoryMatch[] {
  const seen = new Set(members.map((match) => match.userId));
  return [...members, ...locals.filter((match) => !seen.has(match.userId))].sort(byRank);
}

function byRank(a: DirectoryMatch, b: DirectoryMatch): number {
  return (
    a.rank - b.rank ||
    Number(b.shared) - Number(a.shared) ||
    Number(a.displayName === null) - Number(b.displayName === null) ||
    (a.displayName ?? '').localeCompare(b.displayName ?? '') ||
    a.userId.localeCompare(b.userId)
  );
}

function toResult(match: DirectoryMatch): DirectoryResult['results'][number] {
  return {
    user_id: match.userId,
    ...(match.displayName !== null ? { display_name: match.displayName } : {}),
    ...(match.avatarUrl !== null ? { avatar_url: match.avatarUrl } : {}),
  };
}
