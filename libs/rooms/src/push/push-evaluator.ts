import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import type { EntityManager } from 'typeorm';
import {
  evaluatePushRules,
  stateKeyTuple,
  userPowerLevel,
  type JsonObject,
  type PushRuleset,
  type RoomEvent,
  type RoomVersion,
} from '@hearth/protocol';
import { PushRulesService } from './push-rules.service';

/** Who an event notifies, and whom it highlights, to be stored with the event. */
export interface EventNotifications {
  readonly users: string[];
  readonly highlights: boolean[];
  readonly threadId: string;
}

/**
 * Evaluates every new event against the push rules of each member it concerns, before the
 * event is written, so the notifications are stored in the same statement as the event;
 * unread counts are derived from them. Rules are evaluated in memory from a cache that the
 * members' rule versions keep current.
 */
@Injectable()
export class PushEvaluator {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly pushRules: PushRulesService,
  ) {}

  /**
   * `authState` is the state the event was authorised against; it holds the power levels and
   * the create event. `members` maps the joined members before the event to their rule versions.
   */
  async evaluate(
    event: RoomEvent,
    version: RoomVersion,
    authState: ReadonlyMap<string, RoomEvent>,
    members: ReadonlyMap<string, number>,
    em: EntityManager,
  ): Promise<EventNotifications> {
    const threadId = threadOf(event);
    const joined = joinedAfter(event, [...members.keys()]);
    const recipients = new Set(joined);
    if (event.type === 'm.room.member' && event.content.membership === 'invite' && event.state_key)
      recipients.add(event.state_key);
    recipients.delete(event.sender);
    // Other servers count their own users' notifications.
    const suffix = `:${this.config.serverName}`;
    for (const userId of recipients) if (!userId.endsWith(suffix)) recipients.delete(userId);
    if (recipients.size === 0) return { users: [], highlights: [], threadId };

    const rulesets = await this.rulesetsOf(recipients, members, em);
    const powerLevels = authState.get(stateKeyTuple('m.room.power_levels', ''))?.content;
    const notificationLevels = notificationLevelsOf(powerLevels);
    const senderPowerLevel = userPowerLevel(event.sender, authState, version);
    const evaluated: JsonObject = {
      type: event.type,
      content: event.content,
      sender: event.sender,
      room_id: event.room_id,
      ...(event.state_key !== undefined ? { state_key: event.state_key } : {}),
    };

    const users: string[] = [];
    const highlights: boolean[] = [];
    for (const userId of recipients) {
      const decision = evaluatePushRules(
        rulesets.get(userId) ?? { override: [], content: [], room: [], sender: [], underride: [] },
        evaluated,
        {
          userId,
          memberCount: joined.length,
          senderPowerLevel,
          notificationLevels,
        },
      );
      if (decision.notify) {
        users.push(userId);
        highlights.push(decision.highlight);
      }
    }
    return { users, highlights, threadId };
  }

  /** Members' rules through the versioned cache; a user the event brings in is read afresh. */
  private async rulesetsOf(
    recipients: ReadonlySet<string>,
    members: ReadonlyMap<string, number>,
    em: EntityManager,
  ): Promise<Map<string, PushRuleset>> {
    const known = new Map([...members].filter(([userId]) => recipients.has(userId)));
    const newcomers = [...recipients].filter((userId) => !members.has(userId));
    const rulesets = await this.pushRules.rulesetsAt(known, em);
    if (newcomers.length > 0)
      for (const [userId, ruleset] of await this.pushRules.rulesets(newcomers, em)) rulesets.set(userId, ruleset);
    return rulesets;
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
  if (
    typeof relation === 'object' &&
    relation !== null &&
    !Array.isArray(relation) &&
    relation.rel_type === 'm.thread' &&
    typeof relation.event_id === 'string'
  ) {
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
