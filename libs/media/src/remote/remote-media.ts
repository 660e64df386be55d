/** Another server's media as we cached it: the blob we stored and how its origin described it. */
export interface RemoteMedia {
  readonly origin: string;
  readonly mediaId: string;
  readonly contentType: string;
  readonly uploadName: string | null;
  readonly size: number;
  readonly sha256: string;
  readonly createdTs: number;
  readonly lastAccessTs: number;
  /** When an admin quarantined it (then it is served to no one); null otherwise. */
  readonly quarantinedTs: number | null;
}

const DAY_MS = 24 * 3600 * 1000;

/** Reads are recorded to the day only: enough for the cache's lifetime, too coarse to tell who read what when. */
export function dayOf(timestamp: number): number {
  return Math.floor(timestamp / DAY_MS) * DAY_MS;
}
