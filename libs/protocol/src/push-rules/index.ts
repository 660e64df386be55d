export { defaultPushRules } from './default-push-rules';
export { evaluatePushRules } from './evaluate-push-rules';
export { eventProperty, splitPropertyPath } from './event-property';
export { conditionMatches, type PushContext } from './push-conditions';
export {
  decisionFrom,
  PUSH_RULE_KINDS,
  type PushAction,
  type PushCondition,
  type PushDecision,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from './push-rule';
