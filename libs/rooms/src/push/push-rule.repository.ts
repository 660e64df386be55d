import { Injectable } from '@nestjs/common';
import { queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import type { PushAction, PushCondition, PushRuleKind } from '@hearth/protocol';

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
  /** Custom rules, changed defaults and rule versions of many users, in one round trip. */
  async rulesOf(
    userIds: readonly string[],
    em: EntityManager,
  ): Promise<{ custom: StoredPushRule[]; changes: DefaultRuleChange[]; versions: Map<string, number> }> {
    if (userIds.length === 0) return { custom: [], changes: [], versions: new Map() };
    const [row] = await queryRows<{
      custom: RuleRow[];
      changes: Array<{ user_id: string; rule_id: string; enabled: boolean | null; actions: PushAction[] | null }>;
      versions: Record<string, number>;
    }>(
      em,
      `SELECT (SELECT coalesce(json_agg(p ORDER BY p.user_id, p.kind, p.position), '[]') FROM push_rules p WHERE p.user_id = ANY($1)) AS custom,
              (SELECT coalesce(json_agg(d), '[]') FROM push_rule_defaults d WHERE d.user_id = ANY($1)) AS changes,
              (SELECT coalesce(json_object_agg(v.user_id, v.version), '{}') FROM push_rule_versions v WHERE v.user_id = ANY($1)) AS versions`,
      [userIds],
    );
    return {
      custom: (row?.custom ?? []).map(toStoredRule),
      changes: (row?.changes ?? []).map((r) => ({
        userId: r.user_id,
        ruleId: r.rule_id,
        enabled: r.enabled,
        actions: r.actions,
      })),
      versions: new Map(userIds.map((userId) => [userId, Number(row?.versions[userId] ?? 0)])),
    };
  }

  /** The user's current rule version (0 while they never changed a rule). */
  async versionOf(userId: string, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ version: string }>(em, 'SELECT version FROM push_rule_versions WHERE user_id = $1', [
      userId,
    ]);
    return Number(rows[0]?.version ?? 0);
  }

  /** Moves the user's rules to a new version, so every process drops what it cached of them. */
  async bumpVersion(userId: string, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO push_rule_versions (user_id, version) VALUES ($1, nextval('push_rules_stream_seq'))
       ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version`,
      [userId],
    );
  }

  async customRules(userIds: readonly string[], em: EntityManager): Promise<StoredPushRule[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<RuleRow>(
      em,
      'SELECT * FROM push_rules WHERE user_id = ANY($1) ORDER BY user_id, kind, position',
      [userIds],
    );
    return rows.map(toStoredRule);
  }

  /** Serialises one user's rule changes for the rest of the transaction (they rewrite whole kinds). */
  async lockUser(userId: string, em: EntityManager): Promise<void> {
    await em.query("SELECT pg_advisory_xact_lock(hashtext('push_rules:' || $1))", [userId]);
  }

  /** Replaces the user's custom rules of one kind, in order (positions are rewritten densely). */
  async replaceKind(
    userId: string,
    kind: PushRuleKind,
    rules: ReadonlyArray<Omit<StoredPushRule, 'userId' | 'kind' | 'position'>>,
    em: EntityManager,
  ): Promise<void> {
    await em.query('DELETE FROM push_rules WHERE user_id = $1 AND kind = $2', [userId, kind]);
    for (const [position, rule] of rules.entries()) {
      await em.query(
        'INSERT INTO push_rules (user_id, kind, rule_id, position, enabled, conditions, pattern, actions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          userId,
          kind,
          rule.ruleId,
          position,
          rule.enabled,
          rule.conditions === null ? null : JSON.stringify(rule.conditions),
          rule.pattern,
          JSON.stringify(rule.actions),
        ],
      );
    }
  }

  async changeDefault(
    userId: string,
    ruleId: string,
    change: { enabled?: boolean; actions?: PushAction[] },
    em: EntityManager,
  ): Promise<void> {
    await em.query(
      `INSERT INTO push_rule_defaults (user_id, rule_id, enabled, actions) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, rule_id) DO UPDATE SET enabled = COALESCE($3, push_rule_defaults.enabled), actions = COALESCE($4, push_rule_defaults.actions)`,
      [userId, ruleId, change.enabled ?? null, change.actions === undefined ? null : JSON.stringify(change.actions)],
    );
  }
}

interface RuleRow {
  user_id: string;
  kind: PushRuleKind;
  rule_id: string;
  position: number;
  enabled: boolean;
  conditions: PushCondition[] | null;
  pattern: string | null;
  actions: PushAction[];
}

function toStoredRule(r: RuleRow): StoredPushRule {
  return {
    userId: r.user_id,
    kind: r.kind,
    ruleId: r.rule_id,
    position: r.position,
    enabled: r.enabled,
    conditions: r.conditions,
    pattern: r.pattern,
    actions: r.actions,
  };
}
