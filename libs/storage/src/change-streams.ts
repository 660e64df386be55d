/**
 * Every stream of the change bus and what a change to it carries besides the users and rooms it
 * concerns: the one place a reader finds what can be announced. The payloads are plain data, so
 * this lowest lib can name them without knowing the libs that publish them.
 */
export interface ChangeStreams {
  /** Room events committed (libs/rooms). `roomIds`: rooms whose timelines moved; `userIds`: membership changed. */
  readonly events: NoPayload;
  /** A room's typing list moved (libs/rooms). `roomIds`: the room. */
  readonly typing: TypingPayload;
  /** A receipt or read marker was set (libs/rooms). `roomIds`: the room. */
  readonly receipts: { readonly receipt: ReceiptChange };
  /** Account data written (libs/accounts). `userIds`: its owner. */
  readonly accountData: NoPayload;
  /** Push rules changed (libs/rooms). `userIds`: their owner. */
  readonly pushRules: NoPayload;
  /** To-device messages stored (libs/e2ee). `userIds`: the recipients. */
  readonly toDevice: NoPayload;
  /** A device list changed (libs/e2ee). `userIds`: the user whose devices or keys changed. */
  readonly deviceLists: { readonly userId: string; readonly devices: readonly DeviceChange[] };
  /** Devices were removed with their tokens (libs/accounts). `userIds`: their owner. */
  readonly devicesRemoved: { readonly userId: string };
  /** A user's presence changed (libs/accounts), only when presence is on. `userIds`: the user; `roomIds`: their joined rooms. */
  readonly presence: { readonly presence: PresenceChange };
}

export type StreamName = keyof ChangeStreams;

/** A stream whose changes carry nothing but users, rooms and position. */
export type NoPayload = Readonly<Record<never, never>>;

/** One change to a room's typing list: `typing` false when the user stopped or the notice expired. */
export interface TypingChange {
  readonly roomId: string;
  readonly userId: string;
  readonly typing: boolean;
}

export interface TypingPayload {
  readonly typing: TypingChange;
  /**
   * `request`: set through this process (a client, or an EDU from the user's server);
   * `expiry`: the notice timed out here; `relay`: another process set it.
   */
  readonly source: 'request' | 'expiry' | 'relay';
}

export interface ReceiptChange {
  readonly roomId: string;
  readonly userId: string;
  readonly type: string;
  readonly eventId: string;
  readonly threadId?: string;
  readonly ts: number;
}

/** One device's part in a device-list change; `streamId` is the change's position. */
export interface DeviceChange {
  readonly deviceId: string;
  readonly deleted?: boolean;
  readonly streamId?: number;
}

/** One user's presence as it now stands; `source` tells our users' changes (sent to other servers) from theirs. */
export interface PresenceChange {
  readonly userId: string;
  readonly state: 'online' | 'unavailable' | 'offline';
  readonly statusMsg: string | null;
  readonly lastActiveTs: number;
  readonly currentlyActive: boolean;
  readonly source: 'local' | 'remote';
}
