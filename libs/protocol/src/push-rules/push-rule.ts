import type { JsonObject } from '../json';

export type PushRuleKind = 'override' | 'content' | 'room' | 'sender' | 'underride';
export const PUSH_RULE_KINDS: readonly PushRuleKind[] = ['override', 'content', 'room', 'sender', 'underride'];

export type PushCondition = JsonObject & { kind: string };
export type PushAction = string | JsonObject;

/** Spec CS API "Push Rules": the rule shape clients read and write. */
export interface PushRule {
  readonly rule_id: string;
  readonly default: boolean;
  readonly enabled: boolean;
  readonly actions: readonly PushAction[];
  readonly conditions?: readonly PushCondition[];
  /** Content rules only. */
  readonly pattern?: string;
}

export type PushRuleset = Record<PushRuleKind, PushRule[]>;

/** What evaluating a user's rules against one event decided. */
export interface PushDecision {
  readonly ruleId: string | undefined;
  readonly notify: boolean;
  readonly highlight: boolean;
  readonly actions: readonly PushAction[];
}

export function decisionFrom(rule: PushRule | undefined): PushDecision {
  if (!rule) return { ruleId: undefined, notify: false, highlight: false, actions: [] };
  const highlight = rule.actions.some(
    (a) => typeof a === 'object' && a.set_tweak === 'highlight' && (a.value === undefined || a.value === true),
  );
  return { ruleId: rule.rule_id, notify: rule.actions.includes('notify'), highlight, actions: rule.actions };
}
