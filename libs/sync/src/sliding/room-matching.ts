import type { JsonObject } from '@hearth/protocol';
import type { MembershipRow } from '@hearth/rooms';
import { configSignature, type SentRoom, type StickyParams } from './connection-state';
import { combineRequiredState, requiredStateSignature, requiredStateWidened } from './required-state';
import type { RoomFacts } from './room-facts';
import { applyList, type ListedRoom } from './room-list';
import type { RoomToSend } from './room-results';
import type { RoomConfig, SlidingRequest } from './sliding-request';

/** Memberships a subscription may show: the user is, or was, in the room, or was invited or knocked. */
const SHOWN_MEMBERSHIPS = new Set(['join', 'invite', 'knock', 'leave', 'ban']);

export interface MatchedRooms {
  /** Each list's `count`. */
  readonly lists: Record<string, JsonObject>;
  /** Rooms within each list's ranges. */
  readonly listRooms: Map<string, readonly string[]>;
  /** Subscribed rooms the user may see. */
  readonly subscribedRooms: string[];
  /** Every room some rule matched: the lists it is in, and the configs of the rules. */
  readonly matched: Map<string, { lists: string[]; configs: RoomConfig[] }>;
}

/** The rooms the request's lists and the connection's subscriptions match (MSC4186 "Lists and subscriptions"). */
export function matchRooms(
  request: SlidingRequest,
  sticky: StickyParams,
  ordered: readonly ListedRoom[],
  facts: RoomFacts,
  byRoom: ReadonlyMap<string, MembershipRow>,
): MatchedRooms {
  const result: MatchedRooms = { lists: {}, listRooms: new Map(), subscribedRooms: [], matched: new Map() };
  const match = (roomId: string, config: RoomConfig, list?: string) => {
    const entry = result.matched.get(roomId) ?? { lists: [], configs: [] };
    if (list !== undefined) entry.lists.push(list);
    entry.configs.push(config);
    result.matched.set(roomId, entry);
  };
  for (const [name, list] of request.lists) {
    const picked = applyList(list, ordered, facts);
    result.lists[name] = { count: picked.count };
    result.listRooms.set(name, picked.roomIds);
    for (const roomId of picked.roomIds) match(roomId, list, name);
  }
  for (const [roomId, config] of Object.entries(sticky.subscriptions)) {
    if (!SHOWN_MEMBERSHIPS.has(byRoom.get(roomId)?.membership ?? '')) continue;
    result.subscribedRooms.push(roomId);
    match(roomId, config);
  }
  return result;
}

/**
 * Of the matched rooms, those to send: never sent on this connection or before the user joined
 * (whole, `initial`), sent with a narrower config (a longer timeline, newly required state; as
 * Synapse does, not whole again), or moved since (a newer event, a membership or DM change).
 * Returns them and the connection's record of rooms sent, updated.
 */
export function roomsToSend(
  matched: MatchedRooms['matched'],
  byRoom: ReadonlyMap<string, MembershipRow>,
  activity: ReadonlyMap<string, number>,
  dmRooms: ReadonlySet<string>,
  sentBefore: Readonly<Record<string, SentRoom>>,
  upTo: number,
): { toSend: RoomToSend[]; rooms: Record<string, SentRoom> } {
  const toSend: RoomToSend[] = [];
  const rooms: Record<string, SentRoom> = { ...sentBefore };
  for (const [roomId, entry] of matched) {
    const membership = byRoom.get(roomId);
    if (!membership) continue;
    const config = combine(entry.configs);
    const signature = configSignature(config, requiredStateSignature(config.requiredState));
    const isDm = dmRooms.has(roomId);
    const sent = sentBefore[roomId];
    const latest = membership.membership === 'join' ? (activity.get(roomId) ?? 0) : membership.position;
    const widened = sent ? widenedBy(sent, config, signature) : { timeline: false, state: false, unknown: true };
    const initial = !sent || widened.unknown || (sent.membership !== 'join' && membership.membership === 'join');
    const moved =
      initial ||
      widened.timeline ||
      widened.state ||
      latest > sent.at ||
      sent.membership !== membership.membership ||
      sent.isDm !== isDm;
    if (!moved) continue;
    const expandedTimeline = !initial && widened.timeline;
    toSend.push({
      membership,
      config,
      initial,
      expandedTimeline,
      ...(sent ? { sent } : {}),
      lists: entry.lists,
      isDm,
    });
    rooms[roomId] = {
      at: upTo,
      membership: membership.membership,
      config: signature,
      isDm,
      // A narrower limit leaves the client with the longer timeline it has.
      timelineLimit: initial ? config.timelineLimit : Math.max(config.timelineLimit, sent.timelineLimit ?? 0),
      requiredState: config.requiredState,
    };
  }
  return { toSend, rooms };
}

/**
 * How the config grew since the room was sent: a longer timeline, state not asked for before.
 * `unknown` for positions written before configs were kept, when only the signature tells.
 */
function widenedBy(
  sent: SentRoom,
  config: RoomConfig,
  signature: string,
): { timeline: boolean; state: boolean; unknown: boolean } {
  if (sent.timelineLimit === undefined || sent.requiredState === undefined)
    return { timeline: false, state: false, unknown: sent.config !== signature };
  return {
    timeline: config.timelineLimit > sent.timelineLimit,
    state: requiredStateWidened(sent.requiredState, config.requiredState),
    unknown: false,
  };
}

/** MSC4186 "Combining room configs": the largest timeline, the union of required state. */
function combine(configs: readonly RoomConfig[]): RoomConfig {
  return {
    timelineLimit: Math.max(0, ...configs.map((config) => config.timelineLimit)),
    requiredState: combineRequiredState(configs.map((config) => config.requiredState)),
  };
}
