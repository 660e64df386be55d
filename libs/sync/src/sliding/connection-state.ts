import type { RequiredState } from './required-state';
import type { ExtensionsConfig, RoomConfig } from './sliding-request';

/** What a connection has been sent of one room. */
export interface SentRoom {
  /** The event position the room was sent up to. */
  readonly at: number;
  /** The user's membership then. */
  readonly membership: string;
  /** The room config it was sent with (`configSignature`): a wider one sends the room whole again. */
  readonly config: string;
  readonly isDm: boolean;
  /**
   * The timeline limit and required state the client has the room with, so that a wider limit
   * sends a longer timeline and wider required state sends what is newly required (Synapse's
   * `room_configs`). Absent in positions written before they were kept: a change then sends
   * the room whole again.
   */
  readonly timelineLimit?: number;
  readonly requiredState?: RequiredState;
  /** Users whose member event lazy loading has sent, so that it is sent again only when changed. */
  readonly lazyMembers?: readonly string[];
}

/** What a request carries over to the next, besides the stream positions. */
export interface StickyParams {
  /** Room subscriptions stay until `unsubscribe_rooms` (matrix-js-sdk sends each once). */
  readonly subscriptions: Record<string, RoomConfig>;
  /** Extensions stay as last configured when a request does not name them. */
  readonly extensions: ExtensionsConfig;
}

/** A connection's state as of one `pos`. */
export interface ConnectionState {
  readonly connectionId: number;
  /** The stream positions the response at this `pos` was read up to (a /sync token). */
  readonly token: string;
  readonly sticky: StickyParams;
  readonly rooms: Readonly<Record<string, SentRoom>>;
}

export function configSignature(config: RoomConfig, requiredStateSignature: string): string {
  return `${config.timelineLimit}:${requiredStateSignature}`;
}
