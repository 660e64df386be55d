import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import { defaultPushRules, PUSH_RULE_KINDS, type PushAction, type PushCondition, type PushRule, type PushRuleKind, type PushRuleset } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { PushRuleRepository, type StoredPushRule } from './push-rule.repository';

export interface NewPushRule {
  readonly actions: PushAction[];
  readonly conditions?: PushCondition[];
  readonly pattern?: string;
  readonly before?: string;
  readonly after?: string;
}

/** Spec CS API "Push Rules: API": users' rules merged over the server defaults. */
@Injectable()
export class PushRulesService {
  constructor(
    private readonly rules: PushRuleRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async ruleset(userId: string): Promise<PushRuleset> {
    return this.tx.run(async (em) => (await this.rulesets([userId], em)).get(userId) as PushRuleset);
  }

  /** Each user's effective rules: custom rules first within a kind, except that master always leads. */
  async rulesets(userIds: readonly string[], em: EntityManager): Promise<Map<string, PushRuleset>> {
    const { custom, changes } = await this.rules.rulesOf(userIds, em);
    const result = new Map<string, PushRuleset>();
    for (const userId of userIds) {
      const defaults = defaultPushRules(userId);
      const changed = new Map(changes.filter((c) => c.userId === userId).map((c) => [c.ruleId, c]));
      const ruleset = {} as PushRuleset;
      for (const kind of PUSH_RULE_KINDS) {
        const own = custom.filter((r) => r.userId === userId && r.kind === kind).map(toPushRule);
        const base = defaults[kind].map((rule) => {
          const change = changed.get(rule.rule_id);
          return change ? { ...rule, enabled: change.enabled ?? rule.enabled, actions: change.actions ?? rule.actions } : rule;
        });
        ruleset[kind] = kind === 'override' ? [...base.slice(0, 1), ...own, ...base.slice(1)] : [...own, ...base];
      }
      result.set(userId, ruleset);
    }
    return result;
  }

  async rule(userId: string, kind: string, ruleId: string): Promise<PushRule> {
    const ruleset = await this.ruleset(userId);
    const found = isKind(kind) ? ruleset[kind].find((r) => r.rule_id === ruleId) : undefined;
    if (!found) throw MatrixError.notFound('Push rule not found');
    return found;
  }

  async put(userId: string, kind: string, ruleId: string, rule: NewPushRule): Promise<void> {
    if (!isKind(kind)) throw MatrixError.invalidParam('Unknown push rule kind');
    if (ruleId.startsWith('.')) throw MatrixError.invalidParam('Rule IDs starting with a dot belong to the server');
    if (kind === 'content' && !rule.pattern) throw MatrixError.invalidParam('Content rules need a pattern');
    await this.tx.run(async (em) => {
      await this.rules.lockUser(userId, em);
      const existing = (await this.rules.customRules([userId], em)).filter((r) => r.kind === kind);
      const kept = existing.filter((r) => r.ruleId !== ruleId);
      const index = placement(kept, rule.before, rule.after) ?? existing.findIndex((r) => r.ruleId === ruleId);
      const entry = { ruleId, enabled: true, conditions: kind === 'override' || kind === 'underride' ? (rule.conditions ?? []) : null, pattern: kind === 'content' ? (rule.pattern ?? null) : null, actions: rule.actions };
      kept.splice(index < 0 ? 0 : Math.min(index, kept.length), 0, { ...entry, userId, kind, position: 0 });
      await this.rules.replaceKind(userId, kind, kept, em);
    });
  }

  async delete(userId: string, kind: string, ruleId: string): Promise<void> {
    if (!isKind(kind)) throw MatrixError.invalidParam('Unknown push rule kind');
    await this.tx.run(async (em) => {
      await this.rules.lockUser(userId, em);
      const existing = (await this.rules.customRules([userId], em)).filter((r) => r.kind === kind);
      if (!existing.some((r) => r.ruleId === ruleId)) throw MatrixError.notFound('Push rule not found');
      await this.rules.replaceKind(userId, kind, existing.filter((r) => r.ruleId !== ruleId), em);
    });
  }

  async setEnabled(userId: string, kind: string, ruleId: string, enabled: boolean): Promise<void> {
    await this.change(userId, kind, ruleId, { enabled });
  }

  async setActions(userId: string, kind: string, ruleId: string, actions: PushAction[]): Promise<void> {
    await this.change(userId, kind, ruleId, { actions });
  }

  private async change(userId: string, kind: string, ruleId: string, change: { enabled?: boolean; actions?: PushAction[] }): Promise<void> {
    const current = await this.rule(userId, kind, ruleId);
    await this.tx.run(async (em) => {
      if (current.default) return this.rules.changeDefault(userId, ruleId, change, em);
      await this.rules.lockUser(userId, em);
      const existing = (await this.rules.customRules([userId], em)).filter((r) => r.kind === kind);
      await this.rules.replaceKind(userId, kind as PushRuleKind, existing.map((r) => (r.ruleId === ruleId ? { ...r, ...change } : r)), em);
    });
  }
}

function toPushRule(rule: StoredPushRule): PushRule {
  return {
    rule_id: rule.ruleId,
    default: false,
    enabled: rule.enabled,
    actions: rule.actions,
    ...(rule.conditions !== null ? { conditions: rule.conditions } : {}),
    ...(rule.pattern !== null ? { pattern: rule.pattern } : {}),
  };
}

function isKind(kind: string): kind is PushRuleKind {
  return (PUSH_RULE_KINDS as readonly string[]).includes(kind);
}

/** Index for `before`/`after`, which must name a rule of the user's own of this kind. */
function placement(rules: readonly StoredPushRule[], before: string | undefined, after: string | undefined): number | undefined {
  const anchor = before ?? after;
  if (anchor === undefined) return undefined;
  if (anchor.startsWith('.')) throw MatrixError.invalidParam('Rules cannot be placed relative to server-default rules');
  const index = rules.findIndex((r) => r.ruleId === anchor);
  if (index < 0) throw MatrixError.notFound(`No rule ${anchor} to place this rule next to`);
  return before !== undefined ? index : index + 1;
}
