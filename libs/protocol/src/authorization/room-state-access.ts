import type { JsonObject } from '../json';
import { stateKeyTuple, type RoomEvent, type RoomState } from '../room-event';

export function stateEvent(state: RoomState, type: string, stateKey = ''): RoomEvent | undefined {
  return state.get(stateKeyTuple(type, stateKey));
}

export function stateContent(state: RoomState, type: string, stateKey = ''): JsonObject | undefined {
  return stateEvent(state, type, stateKey)?.content;
}

/** A user's membership in `state`, or 'leave' when there is none (the spec's default). */
export function membershipOf(state: RoomState, userId: string): string {
  const membership = stateContent(state, 'm.room.member', userId)?.membership;
  return typeof membership === 'string' ? membership : 'leave';
}

export function joinRuleOf(state: RoomState): string | undefined {
  const rule = stateContent(state, 'm.room.join_rules')?.join_rule;
  return typeof rule === 'string' ? rule : undefined;
}

export function serverOf(userId: string): string {
  return userId.slice(userId.indexOf(':') + 1);
}
