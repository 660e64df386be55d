import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { evaluatePushRules, stateKeyTuple, userPowerLevel, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import { PushRulesService } from './push-rules.service';

/**
 * Evaluates every new event against the push rules of each member it concerns, inside the
 * event's transaction, and records the notifications; unread counts are derived from them.
 * Rules of all members are loaded in one query and evaluated in memory.
 */
@Injectable()
export class PushEvaluator {
  constructor(private readonly pushRules: PushRulesService) {}

  /** `authState` is the state the event was authorised against; it holds the power levels and the create event. */
  async afterEvent(event: RoomEvent, streamOrdering: number, version: RoomVersion, authState: ReadonlyMap<string, RoomEvent>, joinedBefore: readonly string[], em: EntityManager): Promise<void> {
    const joined = joinedAfter(event, joinedBefore);
    const recipients = new Set(joined);
    if (event.type === 'm.room.member' && event.content.membership === 'invite' && event.state_key) recipients.add(event.state_key);
    recipients.delete(event.sender);
    if (recipients.size === 0) return;

    const rulesets = await this.pushRules.rulesets([...recipients], em);
    const powerLevels = authState.get(stateKeyTuple('m.room.power_levels', ''))?.content;
    const notificationLevels = notificationLevelsOf(powerLevels);
    const senderPowerLevel = userPowerLevel(event.sender, authState, version);
    const evaluated: JsonObject = { type: event.type, content: event.content, sender: event.sender, room_id: event.room_id, ...(event.state_key !== undefined ? { state_key: event.state_key } : {}) };
    const threadId = threadOf(event);

    const users: string[] = [];
    const highlights: boolean[] = [];
    for (const userId of recipients) {
      const decision = evaluatePushRules(rulesets.get(userId) ?? { override: [], content: [], room: [], sender: [], underride: [] }, evaluated, {
        userId,
        memberCount: joined.length,
        senderPowerLevel,
        notificationLevels,
      });
      if (decision.notify) {
        users.push(userId);
        highlights.push(decision.highlight);
      }
    }
    if (users.length === 0) return;
    await em.query(
      `INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
       SELECT unnest($1::text[]), $2, $3, $4, $5, unnest($6::boolean[])`,
      [users, event.room_id, event.event_id, streamOrdering, threadId, highlights],
    );
  }
}

/** Members after the event: a membership event changes its target's entry. */
function joinedAfter(event: RoomEvent, joinedBefore: readonly string[]): string[] {
  if (event.type !== 'm.room.member' || event.state_key === undefined) return [...joinedBefore];
  const others = joinedBefore.filter((user) => user !== event.state_key);
  return event.content.membership === 'join' ? [...others, event.state_key] : others;
}

/** Thread replies count towards their thread; everything else towards the main timeline (''). */
export function threadOf(event: Pick<RoomEvent, 'content'>): string {
  const relation = event.content['m.relates_to'];
  if (typeof relation === 'object' && relation !== null && !Array.isArray(relation) && relation.rel_type === 'm.thread' && typeof relation.event_id === 'string') {
    return relation.event_id;
  }
  return '';
}

function notificationLevelsOf(powerLevels: JsonObject | undefined): Record<string, number> {
  const notifications = powerLevels?.notifications;
  const levels: Record<string, number> = { room: 50 };
  if (typeof notifications === 'object' && notifications !== null && !Array.isArray(notifications)) {
    for (const [key, value] of Object.entries(notifications)) if (typeof value === 'number') levels[key] = value;
  }
  return levels;
}
