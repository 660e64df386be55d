/**
 * What the admin API asks of the cache of other servers' media (libs/media/src/remote, built
 * beside this): purge what was last used before a time, and quarantine one cached item. Bound to
 * REMOTE_MEDIA_ADMIN; until a remote cache binds its own, NO_REMOTE_MEDIA_CACHE answers that there
 * is nothing cached (0 purged, nothing to quarantine), which is true while no remote media is fetched.
 */
export interface RemoteMediaAdmin {
  /** Removes cached remote media last used before `beforeTs`; answers how many items went. */
  purgeBefore(beforeTs: number): Promise<number>;
  /** Sets or lifts the quarantine of one cached item; false when it is not cached. */
  setQuarantine(serverName: string, mediaId: string, quarantinedBy: string | null): Promise<boolean>;
}

export const REMOTE_MEDIA_ADMIN = Symbol('REMOTE_MEDIA_ADMIN');

export const NO_REMOTE_MEDIA_CACHE: RemoteMediaAdmin = {
  purgeBefore: () => Promise.resolve(0),
  setQuarantine: () => Promise.resolve(false),
};
