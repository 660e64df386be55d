import { MatrixError } from '@hearth/http';

/** Pagination tokens are stream positions (`s<n>`; negative for history backfilled from other servers), valid for as long as the events exist. */
export function encodePageToken(streamOrdering: number): string {
  return `s${streamOrdering}`;
}

export function decodePageToken(token: string): number {
  const match = /^s(-?\d{1,16})(?:_.*)?$/.exec(token);
  if (!match) throw MatrixError.invalidParam('Invalid pagination token');
  return Number(match[1]);
}
