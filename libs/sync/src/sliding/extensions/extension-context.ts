import type { MembershipRow } from '@hearth/rooms';
import type { SyncPass } from '../../streams/sync-stream';
import type { SyncToken } from '../../sync-token';
import type { ScopedExtension } from '../sliding-request';

/** What every extension of one sliding sync response reads from. */
export interface ExtensionContext {
  readonly userId: string;
  readonly deviceId: string;
  /** The connection's previous positions; null on its first request. */
  readonly since: SyncToken | null;
  readonly upTo: SyncToken;
  readonly memberships: readonly MembershipRow[];
  /** Rooms within each list's ranges, by list name. */
  readonly listRooms: ReadonlyMap<string, readonly string[]>;
  /** Rooms the connection is subscribed to that the user may see. */
  readonly subscribedRooms: readonly string[];
  /**
   * Rooms this response sends whole (`initial`, or with an expanded timeline), with the IDs of
   * their timeline events: the client has nothing of them yet, so the extensions send them what
   * is current (their account data, the receipts on those events), not only what moved.
   */
  readonly initialRooms: ReadonlyMap<string, readonly string[]>;
}

export interface ExtensionResult {
  readonly body: Record<string, unknown>;
  /** Whether it holds news, so that a waiting request answers. */
  readonly moved: boolean;
}

/**
 * The rooms an extension reports on, as Synapse's find_relevant_room_ids_for_extension: those
 * within the ranges of the lists it names (`*` for every list), and those it names by ID among
 * the response's rooms, from lists or subscriptions (`*` for every subscription).
 */
export function scopedRooms(context: ExtensionContext, scope: ScopedExtension): string[] {
  const rooms = new Set<string>();
  const listed = new Set<string>();
  for (const [name, roomIds] of context.listRooms)
    for (const roomId of roomIds) {
      listed.add(roomId);
      if (scope.lists.includes('*') || scope.lists.includes(name)) rooms.add(roomId);
    }
  if (scope.rooms.includes('*')) for (const roomId of context.subscribedRooms) rooms.add(roomId);
  else
    for (const roomId of scope.rooms)
      if (listed.has(roomId) || context.subscribedRooms.includes(roomId)) rooms.add(roomId);
  return [...rooms];
}

/** A SyncPass for reusing /sync's stream providers over the connection's window. */
export function passFor(context: ExtensionContext, since: SyncToken | null): SyncPass {
  return {
    userId: context.userId,
    deviceId: context.deviceId,
    since,
    upTo: context.upTo,
    filter: {},
    fullState: false,
    roomAccountData: new Map(),
    memberships: context.memberships,
  };
}
