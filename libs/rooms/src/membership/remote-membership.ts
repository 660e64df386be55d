import type { JsonObject } from '@hearth/protocol';
import { MatrixError } from '@hearth/http';

/**
 * Port: the remote half of our users' joins, knocks and leaves, for rooms this server is not in
 * (federation: make_join/send_join, make_knock/send_knock, make_leave/send_leave, and the alias
 * query a join by another server's alias starts with). Bound in the app module.
 */
export const REMOTE_MEMBERSHIP = Symbol('REMOTE_MEMBERSHIP');

export interface RemoteAlias {
  readonly room_id: string;
  readonly servers: string[];
}

export interface RemoteMembershipPort {
  /**
   * Spec SS API "Joining Rooms": through the first of `via` that answers, storing the room's
   * state and our join (and some history); a 403 ends the search. Throws a MatrixError.
   */
  join(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void>;
  /** Spec SS API "Knocking upon a room": through the first of `via` that answers, storing the knock. */
  knock(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void>;
  /** Spec SS API "Leaving Rooms (Rejecting Invites)": through the first of `servers` that answers, storing the leave. */
  leave(roomId: string, userId: string, servers: readonly string[], reason: string | undefined): Promise<void>;
  /** Spec SS API `GET /query/directory`: another server's alias, with the servers to join through. */
  resolveAlias(alias: string): Promise<RemoteAlias>;
}

const needsFederation = () =>
  Promise.reject(MatrixError.forbidden('Rooms on other servers need federation, which this process runs without'));

/** For a composition without federation (the CLI's admin context): rooms on other servers are out of reach. */
export const NO_FEDERATION_MEMBERSHIP: RemoteMembershipPort = {
  join: needsFederation,
  knock: needsFederation,
  leave: needsFederation,
  resolveAlias: needsFederation,
};
