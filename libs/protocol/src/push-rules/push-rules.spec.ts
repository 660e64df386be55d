import type { JsonObject } from '../json';
import { defaultPushRules } from './default-push-rules';
import { evaluatePushRules } from './evaluate-push-rules';
import { splitPropertyPath } from './event-property';
import { conditionMatches, type PushContext } from './push-conditions';

const ME = '@ana:p.example';
const context: PushContext = { userId: ME, memberCount: 5, senderPowerLevel: 0, notificationLevels: { room: 50 } };
const message = (content: JsonObject, extra: JsonObject = {}): JsonObject => ({
  type: 'm.room.message',
  sender: '@bea:p.example',
  room_id: '!r:p.example',
  content,
  ...extra,
});
const decide = (event: JsonObject, ctx: Partial<PushContext> = {}) =>
  evaluatePushRules(defaultPushRules(ME), event, { ...context, ...ctx });

describe('default push rules (spec "Predefined Rules")', () => {
  it.each([
    ['a plain message in a group', message({ msgtype: 'm.text', body: 'hi' }), {}, '.m.rule.message', true, false],
    [
      'a plain message in a one-to-one room',
      message({ msgtype: 'm.text', body: 'hi' }),
      { memberCount: 2 },
      '.m.rule.room_one_to_one',
      true,
      false,
    ],
    [
      'an encrypted message in a group',
      { type: 'm.room.encrypted', sender: '@bea:p.example', content: {} },
      {},
      '.m.rule.encrypted',
      true,
      false,
    ],
    ['a notice', message({ msgtype: 'm.notice', body: 'bot says' }), {}, '.m.rule.suppress_notices', false, false],
    [
      'a mention of me',
      message({ body: 'ana?', 'm.mentions': { user_ids: [ME] } }),
      {},
      '.m.rule.is_user_mention',
      true,
      true,
    ],
    [
      'a mention of someone else',
      message({ body: 'x', 'm.mentions': { user_ids: ['@carl:p.example'] } }),
      {},
      '.m.rule.message',
      true,
      false,
    ],
    [
      '@room from someone without power',
      message({ body: '@room', 'm.mentions': { room: true } }),
      {},
      '.m.rule.message',
      true,
      false,
    ],
    [
      '@room from a moderator',
      message({ body: '@room', 'm.mentions': { room: true } }),
      { senderPowerLevel: 50 },
      '.m.rule.is_room_mention',
      true,
      true,
    ],
    [
      'an edit',
      message({ body: '* x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$e' } }),
      {},
      '.m.rule.suppress_edits',
      false,
      false,
    ],
    ['a reaction', { type: 'm.reaction', sender: '@bea:p.example', content: {} }, {}, '.m.rule.reaction', false, false],
    [
      'an invite for me',
      { type: 'm.room.member', state_key: ME, sender: '@bea:p.example', content: { membership: 'invite' } },
      {},
      '.m.rule.invite_for_me',
      true,
      false,
    ],
    [
      'someone else joining',
      {
        type: 'm.room.member',
        state_key: '@carl:p.example',
        sender: '@carl:p.example',
        content: { membership: 'join' },
      },
      {},
      '.m.rule.member_event',
      false,
      false,
    ],
    [
      'a tombstone',
      { type: 'm.room.tombstone', state_key: '', sender: '@bea:p.example', content: {} },
      {},
      '.m.rule.tombstone',
      true,
      true,
    ],
    [
      'a call invite',
      { type: 'm.call.invite', sender: '@bea:p.example', content: {} },
      {},
      '.m.rule.call',
      true,
      false,
    ],
    [
      'a topic change',
      { type: 'm.room.topic', state_key: '', sender: '@bea:p.example', content: { topic: 't' } },
      {},
      undefined,
      false,
      false,
    ],
  ])('%s', (_name, event, ctx, ruleId, notify, highlight) => {
    expect(decide(event, ctx)).toMatchObject({ ruleId, notify, highlight });
  });

  it('lets the master rule, once enabled, silence everything', () => {
    const rules = defaultPushRules(ME);
    rules.override[0] = { ...rules.override[0]!, enabled: true };
    expect(evaluatePushRules(rules, message({ body: 'hi', 'm.mentions': { user_ids: [ME] } }), context)).toMatchObject({
      ruleId: '.m.rule.master',
      notify: false,
    });
  });

  it('applies user content, room and sender rules in order', () => {
    const rules = defaultPushRules(ME);
    rules.content.push({
      rule_id: 'lunch',
      default: false,
      enabled: true,
      pattern: 'lunch',
      actions: ['notify', { set_tweak: 'highlight' }],
    });
    rules.room.push({ rule_id: '!quiet:p.example', default: false, enabled: true, actions: [] });
    expect(evaluatePushRules(rules, message({ body: 'Lunch time!' }), context)).toMatchObject({
      ruleId: 'lunch',
      highlight: true,
    });
    expect(evaluatePushRules(rules, message({ body: 'lunchtime' }), context).ruleId).toBe('.m.rule.message');
    expect(evaluatePushRules(rules, message({ body: 'hi' }, { room_id: '!quiet:p.example' }), context)).toMatchObject({
      ruleId: '!quiet:p.example',
      notify: false,
    });
  });
});

describe('push conditions (spec examples)', () => {
  const topic = (value: unknown): JsonObject => ({ type: 'm.room.topic', content: { topic: value } as JsonObject });
  it('matches event_match globs on the whole value, case-insensitively', () => {
    const cond = { kind: 'event_match', key: 'content.topic', pattern: 'lunc?*' };
    expect(conditionMatches(cond, topic('Lunch plans'), context)).toBe(true);
    expect(conditionMatches(cond, topic('LUNCH'), context)).toBe(true);
    expect(conditionMatches(cond, topic(' lunch'), context)).toBe(false);
    expect(conditionMatches(cond, topic('lunc'), context)).toBe(false);
    expect(conditionMatches(cond, topic(null), context)).toBe(false);
  });

  it('matches content.body on word boundaries', () => {
    const cond = { kind: 'event_match', key: 'content.body', pattern: 'ex*ple' };
    for (const body of ['An example event.', 'exple', 'An exciting triple-whammy'])
      expect(conditionMatches(cond, message({ body }), context)).toBe(true);
    expect(conditionMatches(cond, message({ body: 'examples' }), context)).toBe(false);
  });

  it('compares event_property_is exactly, without casting', () => {
    const create: JsonObject = { type: 'm.room.create', content: { 'm.federate': true } };
    expect(
      conditionMatches({ kind: 'event_property_is', key: 'content.m\\.federate', value: true }, create, context),
    ).toBe(true);
    expect(
      conditionMatches({ kind: 'event_property_is', key: 'content.m\\.federate', value: 'true' }, create, context),
    ).toBe(false);
    expect(
      conditionMatches({ kind: 'event_property_is', key: 'content.m\\.federate', value: 1 }, create, context),
    ).toBe(false);
  });

  it('matches event_property_contains on exact array members', () => {
    const alias: JsonObject = {
      type: 'm.room.canonical_alias',
      content: { alt_aliases: ['#somewhere:example.org', '#myroom:example.com'] },
    };
    expect(
      conditionMatches(
        { kind: 'event_property_contains', key: 'content.alt_aliases', value: '#myroom:example.com' },
        alias,
        context,
      ),
    ).toBe(true);
    expect(
      conditionMatches(
        { kind: 'event_property_contains', key: 'content.alt_aliases', value: ':example.com' },
        alias,
        context,
      ),
    ).toBe(false);
  });

  it.each([
    ['2', 2, true],
    ['==2', 3, false],
    ['<10', 9, true],
    ['>=10', 10, true],
    ['>10', 10, false],
    ['<=1', 2, false],
    ['lots', 2, false],
  ])('room_member_count is %p with %p members: %p', (is, memberCount, expected) => {
    expect(conditionMatches({ kind: 'room_member_count', is }, message({}), { ...context, memberCount })).toBe(
      expected,
    );
  });

  it('never matches unknown condition kinds', () => {
    expect(conditionMatches({ kind: 'org.example.future' }, message({}), context)).toBe(false);
  });

  it('splits dotted paths with escapes', () => {
    expect(splitPropertyPath('content.m\\.mentions.user_ids')).toEqual(['content', 'm.mentions', 'user_ids']);
    expect(splitPropertyPath('a\\\\b.c')).toEqual(['a\\b', 'c']);
  });
});
