import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import {
  defaultPushRules,
  PUSH_RULE_KINDS,
  type PushAction,
  type PushCondition,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from '@hearth/protocol';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { PushRuleRepository, type StoredPushRule } from './push-rule.repository';

export interface NewPushRule {
  readonly actions: PushAction[];
  readonly conditions?: PushCondition[];
  readonly pattern?: string;
  readonly before?: string;
  readonly after?: string;
}

/** About 20 default rules per user: a few tens of megabytes at most. */
const CACHED_RULESETS = 10_000;

/** Spec CS API "Push Rules: API": users' rules merged over the server defaults. */
@Injectable()
export class PushRulesService {
  /** Least recently loaded first; Map keeps insertion order. */
  private readonly cache = new Map<string, { version: number; ruleset: PushRuleset }>();

  constructor(
    private readonly rules: PushRuleRepository,
    private readonly tx: TransactionRunner,
    private readonly bus: ChangeBus,
  ) {}

  /** The user's rule version, which moves with every change. */
  version(userId: string, em: EntityManager): Promise<number> {
    return this.rules.versionOf(userId, em);
  }

  /** The user's rules with their version, which moves with every change (sync sends m.push_rules when it moved). */
  async versionedRuleset(userId: string, em: EntityManager): Promise<{ version: number; ruleset: PushRuleset }> {
    const loaded = (await this.load([userId], em)).get(userId);
    return loaded ?? { version: 0, ruleset: { override: [], content: [], room: [], sender: [], underride: [] } };
  }

  async ruleset(userId: string): Promise<PushRuleset> {
    return this.tx.run(async (em) => (await this.rulesets([userId], em)).get(userId) as PushRuleset);
  }

  /** Each user's effective rules, read afresh. */
  async rulesets(userIds: readonly string[], em: EntityManager): Promise<Map<string, PushRuleset>> {
    const loaded = await this.load(userIds, em);
    return new Map([...loaded].map(([userId, { ruleset }]) => [userId, ruleset]));
  }

  /**
   * Rulesets of users whose current rule versions the caller has read (the event writer reads
   * them with the room's members): a ruleset cached at that version is reused, so sending into
   * a big room does not reload every member's rules.
   */
  async rulesetsAt(versions: ReadonlyMap<string, number>, em: EntityManager): Promise<Map<string, PushRuleset>> {
    const result = new Map<string, PushRuleset>();
    const stale: string[] = [];
    for (const [userId, version] of versions) {
      const cached = this.cache.get(userId);
      if (cached?.version === version) result.set(userId, cached.ruleset);
      else stale.push(userId);
    }
    for (const [userId, loaded] of await this.load(stale, em)) {
      result.set(userId, loaded.ruleset);
      this.remember(userId, loaded);
    }
    return result;
  }

  /** Custom rules first within a kind, except that master always leads. */
  private async load(
    userIds: readonly string[],
    em: EntityManager,
  ): Promise<Map<string, { version: number; ruleset: PushRuleset }>> {
    const { custom, changes, versions } = await this.rules.rulesOf(userIds, em);
    const result = new Map<string, { version: number; ruleset: PushRuleset }>();
    for (const userId of userIds) {
      const defaults = defaultPushRules(userId);
      const changed = new Map(changes.filter((c) => c.userId === userId).map((c) => [c.ruleId, c]));
      const ruleset = {} as PushRuleset;
      for (const kind of PUSH_RULE_KINDS) {
        const own = custom.filter((r) => r.userId === userId && r.kind === kind).map(toPushRule);
        const base = defaults[kind].map((rule) => {
          const change = changed.get(rule.rule_id);
          return change
            ? { ...rule, enabled: change.enabled ?? rule.enabled, actions: change.actions ?? rule.actions }
            : rule;
        });
        ruleset[kind] = kind === 'override' ? [...base.slice(0, 1), ...own, ...base.slice(1)] : [...own, ...base];
      }
      result.set(userId, { version: versions.get(userId) ?? 0, ruleset });
    }
    return result;
  }

  private remember(userId: string, entry: { version: number; ruleset: PushRuleset }): void {
    this.cache.delete(userId);
    if (this.cache.size >= CACHED_RULESETS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(userId, entry);
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
      const entry = {
        ruleId,
        enabled: true,
        conditions: kind === 'override' || kind === 'underride' ? (rule.conditions ?? []) : null,
        pattern: kind === 'content' ? (rule.pattern ?? null) : null,
        actions: rule.actions,
      };
      kept.splice(index < 0 ? 0 : Math.min(index, kept.length), 0, { ...entry, userId, kind, position: 0 });
      await this.rules.replaceKind(userId, kind, kept, em);
      await this.bumpVersion(userId, em);
    });
  }

  async delete(userId: string, kind: string, ruleId: string): Promise<void> {
    if (!isKind(kind)) throw MatrixError.invalidParam('Unknown push rule kind');
    await this.tx.run(async (em) => {
      await this.rules.lockUser(userId, em);
      const existing = (await this.rules.customRules([userId], em)).filter((r) => r.kind === kind);
      if (!existing.some((r) => r.ruleId === ruleId)) throw MatrixError.notFound('Push rule not found');
      await this.rules.replaceKind(
        userId,
        kind,
        existing.filter((r) => r.ruleId !== ruleId),
        em,
      );
      await this.bumpVersion(userId, em);
    });
  }

  async setEnabled(userId: string, kind: string, ruleId: string, enabled: boolean): Promise<void> {
    await this.change(userId, kind, ruleId, { enabled });
  }

  async setActions(userId: string, kind: string, ruleId: string, actions: PushAction[]): Promise<void> {
    await this.change(userId, kind, ruleId, { actions });
  }

  private async change(
    userId: string,
    kind: string,
    ruleId: string,
    change: { enabled?: boolean; actions?: PushAction[] },
  ): Promise<void> {
    const current = await this.rule(userId, kind, ruleId);
    await this.tx.run(async (em) => {
      if (current.default) {
        await this.rules.changeDefault(userId, ruleId, change, em);
      } else {
        await this.rules.lockUser(userId, em);
        const existing = (await this.rules.customRules([userId], em)).filter((r) => r.kind === kind);
        await this.rules.replaceKind(
          userId,
          kind as PushRuleKind,
          existing.map((r) => (r.ruleId === ruleId ? { ...r, ...change } : r)),
          em,
        );
      }
      await this.bumpVersion(userId, em);
    });
  }

  /** Every change moves the user's version, and is published on the change bus (stream `pushRules`) once committed. */
  private async bumpVersion(userId: string, em: EntityManager): Promise<void> {
    await this.rules.bumpVersion(userId, em);
    this.bus.publishAfterCommit(em, { stream: 'pushRules', roomIds: [], userIds: [userId] });
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
function placement(
  rules: readonly StoredPushRule[],
  before: string | undefined,
  after: string | undefined,
): number | undefined {
  const anchor = before ?? after;
  if (anchor === undefined) return undefined;
  if (anchor.startsWith('.')) throw MatrixError.invalidParam('Rules cannot be placed relative to server-default rules');
  const index = rules.findIndex((r) => r.ruleId === anchor);
  if (index < 0) throw MatrixError.notFound(`No rule ${anchor} to place this rule next to`);
  return before !== undefined ? index : index + 1;
}
