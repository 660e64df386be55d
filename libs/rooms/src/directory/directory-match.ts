/** One person the user directory found, with what ranks them. */
export interface DirectoryMatch {
  readonly userId: string;
  readonly displayName: string | null;
  readonly avatarUrl: string | null;
  /** 0: the whole display name is the term; 1: display name or handle starts with it; 2: a later word does. */
  readonly rank: number;
  /** Shares a room with the searcher (ranked before people only seen in public rooms). */
  readonly shared: boolean;
}

/** A search already folded: the words each match must have a word starting with, and the whole phrase. */
export interface DirectoryQuery {
  readonly words: readonly string[];
  readonly phrase: string;
  readonly limit: number;
}
