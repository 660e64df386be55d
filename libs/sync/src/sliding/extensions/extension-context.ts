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
}

export interface ExtensionResult {
  readonly body: Record<string, unknown>;
  /** Whether it holds news, so that a waiting request answers. */
  readonly moved: boolean;
}

/** The rooms an extension reports on: those of the lists and subscriptions it names (`*` for all). */
export function scopedRooms(context: ExtensionContext, scope: ScopedExtension): string[] {
  const rooms = new Set<string>();
  for (const [name, roomIds] of context.listRooms)
    if (scope.lists.includes('*') || scope.lists.includes(name)) for (const roomId of roomIds) rooms.add(roomId);
  for (const roomId of context.subscribedRooms)
    if (scope.rooms.includes('*') || scope.rooms.includes(roomId)) rooms.add(roomId);
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
