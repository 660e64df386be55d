import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PushAction, PushCondition, PushRuleKind } from '@hearth/protocol';
import { queryRows } from '../storage/sql';

export interface StoredPushRule {
  readonly userId: string;
  readonly kind: PushRuleKind;
  readonly ruleId: string;
  readonly position: number;
  readonly enabled: boolean;
  readonly conditions: PushCondition[] | null;
  readonly pattern: string | null;
  readonly actions: PushAction[];
}

export interface DefaultRuleChange {
  readonly userId: string;
  readonly ruleId: string;
  readonly enabled: boolean | null;
  readonly actions: PushAction[] | null;
}

@Injectable()
export class PushRuleRepository {
  async customRules(userIds: readonly string[], em: EntityManager): Promise<StoredPushRule[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<{ user_id: string; kind: PushRuleKind; rule_id: string; position: number; enabled: boolean; conditions: PushCondition[] | null; pattern: string | null; actions: PushAction[] }>(
      em,
      'SELECT * FROM push_rules WHERE user_id = ANY($1) ORDER BY user_id, kind, position',
      [userIds],
    );
    return rows.map((r) => ({ userId: r.user_id, kind: r.kind, ruleId: r.rule_id, position: r.position, enabled: r.enabled, conditions: r.conditions, pattern: r.pattern, actions: r.actions }));
  }

  async defaultChanges(userIds: readonly string[], em: EntityManager): Promise<DefaultRuleChange[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<{ user_id: string; rule_id: string; enabled: boolean | null; actions: PushAction[] | null }>(em, 'SELECT * FROM push_rule_defaults WHERE user_id = ANY($1)', [userIds]);
    return rows.map((r) => ({ userId: r.user_id, ruleId: r.rule_id, enabled: r.enabled, actions: r.actions }));
  }

  /** Replaces the user's custom rules of one kind, in order (positions are rewritten densely). */
  async replaceKind(userId: string, kind: PushRuleKind, rules: ReadonlyArray<Omit<StoredPushRule, 'userId' | 'kind' | 'position'>>, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM push_rules WHERE user_id = $1 AND kind = $2', [userId, kind]);
    for (const [position, rule] of rules.entries()) {
      await em.query(
        'INSERT INTO push_rules (user_id, kind, rule_id, position, enabled, conditions, pattern, actions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [userId, kind, rule.ruleId, position, rule.enabled, rule.conditions === null ? null : JSON.stringify(rule.conditions), rule.pattern, JSON.stringify(rule.actions)],
      );
    }
  }

  async changeDefault(userId: string, ruleId: string, change: { enabled?: boolean; actions?: PushAction[] }, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO push_rule_defaults (user_id, rule_id, enabled, actions) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, rule_id) DO UPDATE SET enabled = COALESCE($3, push_rule_defaults.enabled), actions = COALESCE($4, push_rule_defaults.actions)`,
      [userId, ruleId, change.enabled ?? null, change.actions === undefined ? null : JSON.stringify(change.actions)],
    );
  }
}
