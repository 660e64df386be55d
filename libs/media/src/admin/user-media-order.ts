import { MatrixError } from '@hearth/http';

/** Synapse's `order_by` values for a user's media, and the column each sorts by. */
const ORDER_COLUMNS = {
  media_id: 'media_id',
  upload_name: 'upload_name',
  created_ts: 'created_ts',
  // we keep no access log (docs/media.md, "Privacy"): last use is the upload time
  last_access_ts: 'coalesce(uploaded_ts, created_ts)',
  media_length: 'size',
  media_type: 'content_type',
  quarantined_by: 'quarantined_by',
  safe_from_quarantine: 'media_id',
} as const;

export type UserMediaOrderBy = keyof typeof ORDER_COLUMNS;

/** A page of a user's media in the order an admin asked for; ties by ascending media ID. */
export interface UserMediaOrder {
  readonly column: string;
  readonly descending: boolean;
}

/** Without `order_by` and `dir`: newest first, as Synapse lists them. */
export function userMediaOrder(orderBy: string | undefined, dir: string | undefined): UserMediaOrder {
  if (dir !== undefined && dir !== 'f' && dir !== 'b') throw MatrixError.invalidParam('dir must be f or b');
  if (orderBy !== undefined && !(orderBy in ORDER_COLUMNS))
    throw MatrixError.invalidParam(`order_by must be one of ${Object.keys(ORDER_COLUMNS).join(', ')}`);
  const column = ORDER_COLUMNS[(orderBy ?? 'created_ts') as UserMediaOrderBy];
  const descending = dir === undefined ? orderBy === undefined : dir === 'b';
  return { column, descending };
}
