import { MatrixError } from '@hearth/http';

/** Where a page of search results ended: the last row's rank (for order_by rank) and stream position. */
export interface SearchCursor {
  readonly rank: number;
  readonly stream: number;
}

/** `r<rank>_<stream>`: opaque to clients, and checked on the way back in. */
export function encodeSearchToken(cursor: SearchCursor): string {
  return `r${cursor.rank}_${cursor.stream}`;
}

export function decodeSearchToken(token: string): SearchCursor {
  const match = /^r(\d{1,10}(?:\.\d{1,20})?(?:e-\d{1,3})?)_(-?\d{1,16})$/.exec(token);
  if (!match) throw MatrixError.invalidParam('Invalid next_batch token');
  return { rank: Number(match[1]), stream: Number(match[2]) };
}
