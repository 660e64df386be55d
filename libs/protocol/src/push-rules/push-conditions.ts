import type { JsonObject, JsonValue } from '../json';
import { boundedMemo } from './bounded-memo';
import { eventProperty } from './event-property';
import { globMatchesWhole, globMatchesWords } from './glob';
import type { PushCondition } from './push-rule';

/** What conditions may consult besides the event itself. */
export interface PushContext {
  readonly userId: string;
  readonly memberCount: number;
  readonly senderPowerLevel: number;
  /** `notifications` levels from m.room.power_levels (default `room`: 50). */
  readonly notificationLevels: Readonly<Record<string, number>>;
}

/** Spec "Conditions". Unknown kinds never match, which disables the rule. */
export function conditionMatches(condition: PushCondition, event: JsonObject, context: PushContext): boolean {
  const key = typeof condition.key === 'string' ? condition.key : '';
  switch (condition.kind) {
    case 'event_match':
      return eventMatch(condition, event);
    case 'event_property_is':
      return isLeaf(condition.value) && valueEquals(eventProperty(event, key), condition.value);
    case 'event_property_contains': {
      const list = eventProperty(event, key);
      const wanted = condition.value;
      return Array.isArray(list) && isLeaf(wanted) && list.some((item) => valueEquals(item, wanted));
    }
    case 'room_member_count':
      return typeof condition.is === 'string' && memberCountMatches(condition.is, context.memberCount);
    case 'sender_notification_permission':
      return context.senderPowerLevel >= (context.notificationLevels[key] ?? 50);
    default:
      return false;
  }
}

function eventMatch(condition: PushCondition, event: JsonObject): boolean {
  if (typeof condition.key !== 'string' || typeof condition.pattern !== 'string') return false;
  const value = eventProperty(event, condition.key);
  if (typeof value !== 'string') return false;
  return condition.key === 'content.body'
    ? globMatchesWords(condition.pattern, value)
    : globMatchesWhole(condition.pattern, value);
}

function isLeaf(value: JsonValue | undefined): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

function valueEquals(actual: JsonValue | undefined, expected: string | number | boolean | null): boolean {
  return isLeaf(actual) && actual === expected;
}

interface MemberCountTest {
  readonly operator: string;
  readonly target: number;
}

/** Parsed `is` values: rooms share the few that rules use. */
const memberCountTest = boundedMemo<MemberCountTest | null>(1000, (is) => {
  const match = /^(==|<=|>=|<|>)?\s*(\d+)$/.exec(is.trim());
  return match ? { operator: match[1] ?? '==', target: Number(match[2]) } : null;
});

/** `is`: an integer optionally prefixed by ==, <, >, >= or <=. */
function memberCountMatches(is: string, count: number): boolean {
  const test = memberCountTest(is);
  if (!test) return false;
  const { target } = test;
  switch (test.operator) {
    case '<':
      return count < target;
    case '>':
      return count > target;
    case '<=':
      return count <= target;
    case '>=':
      return count >= target;
    default:
      return count === target;
  }
}
