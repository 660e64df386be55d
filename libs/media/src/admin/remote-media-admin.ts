/**
 * What the admin API asks of the cache of other servers' media: purge what was last read before
 * a time, and quarantine one cached item. Bound to REMOTE_MEDIA_ADMIN (RemoteMediaCacheAdmin).
 */
export interface RemoteMediaAdmin {
  /** Removes cached remote media last used before `beforeTs`; answers how many items went. */
  purgeBefore(beforeTs: number): Promise<number>;
  /** Sets or lifts the quarantine of one cached item; false when it is not cached. */
  setQuarantine(serverName: string, mediaId: string, quarantinedBy: string | null): Promise<boolean>;
}

export const REMOTE_MEDIA_ADMIN = Symbol('REMOTE_MEDIA_ADMIN');
