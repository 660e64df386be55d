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
