import { createHash } from 'node:crypto';
import { MatrixError } from '@hearth/http';

/** What a page of the walk depends on; the spec forbids changing the filters between pages. */
export interface HierarchyPosition {
  readonly roomId: string;
  readonly maxDepth: number;
  readonly suggestedOnly: boolean;
  /** Rooms already returned: the next page walks the tree again and skips them. */
  readonly skip: number;
}

/**
 * The token carries the position itself rather than pointing at a stored session: any process can
 * answer the next page, and nothing is kept for walks a client abandons. A made-up token can only
 * skip rooms the asker may see anyway.
 */
export function encodeHierarchyToken(position: HierarchyPosition): string {
  const flag = position.suggestedOnly ? 's' : 'a';
  return `h1_${position.skip}_${position.maxDepth}_${flag}_${roomTag(position.roomId)}`;
}

export function decodeHierarchyToken(token: string, request: Omit<HierarchyPosition, 'skip'>, maxSkip: number): number {
  const match = /^h1_(\d{1,6})_(\d{1,3})_([sa])_([A-Za-z0-9_-]{11})$/.exec(token);
  if (!match || Number(match[1]) > maxSkip || match[4] !== roomTag(request.roomId))
    throw MatrixError.invalidParam('Unknown pagination token');
  if (Number(match[2]) !== request.maxDepth || (match[3] === 's') !== request.suggestedOnly)
    throw MatrixError.invalidParam('suggested_only and max_depth cannot change on paginated requests');
  return Number(match[1]);
}

function roomTag(roomId: string): string {
  return createHash('sha256').update(roomId).digest('base64url').slice(0, 11);
}
