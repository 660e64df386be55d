import type { JsonObject } from '@hearth/protocol';
import type { PresenceChange } from '@hearth/storage';

export type PresenceState = PresenceChange['state'];

export const PRESENCE_STATES: ReadonlySet<string> = new Set<PresenceState>(['online', 'unavailable', 'offline']);

/** Synapse's figures, which clients are tuned to. */
export const PRESENCE_TIMING = {
  /** Someone who has not synced for this long is offline. */
  syncTimeoutMs: 30_000,
  /** Someone online but not active for this long is unavailable (idle). */
  idleAfterMs: 5 * 60_000,
  /** Active this recently counts as currently_active. */
  currentlyActiveMs: 60_000,
  /** last_sync_ts is rewritten at most this often. */
  syncTouchMs: 10_000,
  /** How often the sweep looks for people gone quiet. */
  sweepEveryMs: 10_000,
};

export interface StoredPresence {
  readonly userId: string;
  readonly state: PresenceState;
  readonly statusMsg: string | null;
  readonly lastActiveTs: number;
  readonly currentlyActive: boolean;
}

/** The presence content clients and servers see (spec "m.presence"): ages, not timestamps. */
export function presenceContent(presence: StoredPresence, now: number): JsonObject {
  return {
    presence: presence.state,
    last_active_ago: Math.max(0, now - presence.lastActiveTs),
    currently_active: presence.state === 'online' && presence.currentlyActive,
    ...(presence.statusMsg !== null ? { status_msg: presence.statusMsg } : {}),
  };
}

/** An `m.presence` event for /sync. */
export function presenceEvent(presence: StoredPresence, now: number): JsonObject {
  return { type: 'm.presence', sender: presence.userId, content: presenceContent(presence, now) };
}
