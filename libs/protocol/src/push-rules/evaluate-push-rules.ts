import type { JsonObject } from '../json';
import { conditionMatches, type PushContext } from './push-conditions';
import { decisionFrom, type PushDecision, type PushRule, type PushRuleset } from './push-rule';
import { globMatchesWords } from './glob';

/**
 * Spec "Push Rules": the first enabled rule that matches, in the order override, content, room,
 * sender, underride, decides. `rules` is the user's ruleset already merged with the defaults.
 */
export function evaluatePushRules(rules: PushRuleset, event: JsonObject, context: PushContext): PushDecision {
  for (const rule of rules.override) if (rule.enabled && allConditions(rule, event, context)) return decisionFrom(rule);
  for (const rule of rules.content) {
    const body = (event.content as JsonObject | undefined)?.body;
    if (rule.enabled && rule.pattern !== undefined && typeof body === 'string' && globMatchesWords(rule.pattern, body))
      return decisionFrom(rule);
  }
  for (const rule of rules.room) if (rule.enabled && event.room_id === rule.rule_id) return decisionFrom(rule);
  for (const rule of rules.sender) if (rule.enabled && event.sender === rule.rule_id) return decisionFrom(rule);
  for (const rule of rules.underride)
    if (rule.enabled && allConditions(rule, event, context)) return decisionFrom(rule);
  return decisionFrom(undefined);
}

function allConditions(rule: PushRule, event: JsonObject, context: PushContext): boolean {
  return (rule.conditions ?? []).every((condition) => conditionMatches(condition, event, context));
}
