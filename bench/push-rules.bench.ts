/**
 * Cost of push-rule evaluation for one event in a room of 1,000 members: every member's default
 * rules plus a few custom ones, evaluated in memory as the event writer does.
 *
 *   npm run bench:push
 */
import { defaultPushRules, evaluatePushRules, type JsonObject, type PushRuleset } from '@hearth/protocol';

const MEMBERS = 1000;
const ROUNDS = 200;

function rulesFor(userId: string, index: number): PushRuleset {
  const rules = defaultPushRules(userId);
  if (index % 10 === 0)
    rules.content.push({
      rule_id: 'keyword',
      default: false,
      enabled: true,
      pattern: 'deploy*',
      actions: ['notify', { set_tweak: 'highlight' }],
    });
  return rules;
}

const members = Array.from({ length: MEMBERS }, (_, i) => `@member${i}:bench.example`);
const rulesets = members.map(rulesFor);
const events: JsonObject[] = [
  {
    type: 'm.room.message',
    sender: '@a:bench.example',
    room_id: '!r:bench.example',
    content: { msgtype: 'm.text', body: 'the deployment is done' },
  },
  {
    type: 'm.room.message',
    sender: '@a:bench.example',
    room_id: '!r:bench.example',
    content: { msgtype: 'm.text', body: 'ping', 'm.mentions': { user_ids: ['@member7:bench.example'] } },
  },
  {
    type: 'm.reaction',
    sender: '@a:bench.example',
    room_id: '!r:bench.example',
    content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$x', key: '👍' } },
  },
];

let notified = 0;
const started = process.hrtime.bigint();
for (let round = 0; round < ROUNDS; round++) {
  const event = events[round % events.length] as JsonObject;
  for (let i = 0; i < MEMBERS; i++) {
    const decision = evaluatePushRules(rulesets[i] as PushRuleset, event, {
      userId: members[i] as string,
      memberCount: MEMBERS,
      senderPowerLevel: 0,
      notificationLevels: { room: 50 },
    });
    if (decision.notify) notified++;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `push-rule evaluation, ${MEMBERS} members: ${((seconds / ROUNDS) * 1000).toFixed(2)} ms per event (${ROUNDS} events, ${notified} notifications)\n`,
);
