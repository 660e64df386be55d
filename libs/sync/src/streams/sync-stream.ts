import type { EntityManager } from 'typeorm';
import type { KeyCounts } from '@hearth/e2ee';
import type { JsonObject } from '@hearth/protocol';
import type { ActivityAhead, MembershipRow, RoomActivity } from '@hearth/rooms';
import type { SyncFilter } from '../filters/sync-filter';
import type { SyncToken } from '../sync-token';

/** One computation of a /sync response: who asks, from where to where, and what streams hand on. */
export interface SyncPass {
  readonly userId: string;
  readonly deviceId: string;
  readonly since: SyncToken | null;
  /** The positions read up to; a stream that answers with less than everything it has (to-device) lowers its own. */
  upTo: SyncToken;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  /** Fingerprint of the user's memberships at `upTo` (RoomSyncReader.syncHead). */
  readonly membershipsFingerprint?: string;
  /** The rooms' activity after `since`, read beside the first statement (RoomSyncReader.activityAhead). */
  readonly activityAhead?: ActivityAhead;
  /** The device's key counts at `upTo`, when the first statement read them (SyncPositions). */
  readonly keyCounts?: KeyCounts;
  /** Room account data moved in the window, by room (`m.fully_read` included): account data hands it to rooms. */
  readonly roomAccountData: Map<string, JsonObject[]>;
  /** The user's memberships now, whatever the filter: rooms hands them to device lists. */
  memberships?: readonly MembershipRow[];
  /** What moved in the user's rooms in the window, when the events stream did: rooms hands it to device lists. */
  activity?: RoomActivity;
}

export interface StreamContribution {
  /** Whether it added anything new, so that a waiting /sync answers now. */
  readonly moved: boolean;
  /** Rooms whose changes must wake this user's waiting syncs. */
  readonly watchedRooms?: readonly string[];
}

/**
 * One stream of /sync (as Dendrite's syncapi/streams): it writes its part of the response for the
 * window `since`..`upTo`. SYNC_STREAMS lists them in the order they run, which matters where one
 * hands something on to the next (SyncPass).
 */
export interface SyncStream {
  /**
   * Only for a response that is sent: a stream that never moves by itself (key counts) is not
   * read for a pass that finds nothing new and goes on to wait.
   */
  readonly onlyWhenAnswering?: boolean;
  contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution>;
}

export const SYNC_STREAMS = Symbol('SYNC_STREAMS');

export const UNMOVED: StreamContribution = { moved: false };

/** Whether a stream moved past the client's position (none: an initial sync, everything is new). */
export function movedSince(since: number | undefined, upTo: number): boolean {
  return since === undefined || upTo > since;
}
