import { isJsonObject, type JsonObject, type RoomEvent } from '@hearth/protocol';

/** Spec "Stripped state" of an `m.space.child` event, with the `origin_server_ts` the hierarchy adds. */
export interface SpaceChildState {
  readonly type: 'm.space.child';
  readonly state_key: string;
  readonly content: JsonObject;
  readonly sender: string;
  readonly origin_server_ts: number;
}

export function toSpaceChildState(event: RoomEvent): SpaceChildState {
  return {
    type: 'm.space.child',
    state_key: event.state_key ?? '',
    content: event.content,
    sender: event.sender,
    origin_server_ts: event.origin_server_ts,
  };
}

/**
 * Spec `m.space.child`: a child counts only while its `via` lists at least one server; an event
 * without one (how a child is removed) is ignored. A peer's children are checked the same way.
 */
export function isLiveSpaceChild(child: unknown): child is SpaceChildState {
  if (!isJsonObject(child) || child.type !== 'm.space.child' || typeof child.state_key !== 'string') return false;
  if (!child.state_key.startsWith('!') || !isJsonObject(child.content)) return false;
  const via = child.content.via;
  return Array.isArray(via) && via.length > 0 && via.every((server) => typeof server === 'string');
}

export function isSuggested(child: SpaceChildState): boolean {
  return child.content.suggested === true;
}

export function viaOf(child: SpaceChildState): string[] {
  return (child.content.via as string[]).filter((server) => server.length > 0 && server.length <= 255);
}

/**
 * Spec "Ordering of children within a space": by `order` (printable ASCII, at most 50
 * characters; others are treated as absent) with ordered children first, then by the event's
 * `origin_server_ts`, then by room ID. Strings compare by code unit, which for ASCII is by code point.
 */
export function compareSpaceChildren(a: SpaceChildState, b: SpaceChildState): number {
  const orderA = validOrder(a.content.order);
  const orderB = validOrder(b.content.order);
  if (orderA !== orderB) {
    if (orderA === undefined) return 1;
    if (orderB === undefined) return -1;
    return orderA < orderB ? -1 : 1;
  }
  if (a.origin_server_ts !== b.origin_server_ts) return a.origin_server_ts - b.origin_server_ts;
  return a.state_key < b.state_key ? -1 : a.state_key > b.state_key ? 1 : 0;
}

function validOrder(order: unknown): string | undefined {
  return typeof order === 'string' && order.length <= 50 && /^[\x20-\x7E]*$/.test(order) ? order : undefined;
}

/** The children a walk follows: live ones, only suggested ones when asked, in the spec's order. */
export function childrenToFollow(children: readonly unknown[], suggestedOnly: boolean): SpaceChildState[] {
  return children
    .filter(isLiveSpaceChild)
    .filter((child) => !suggestedOnly || isSuggested(child))
    .sort(compareSpaceChildren);
}
