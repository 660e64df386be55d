import { getRoomVersion, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import { StatementParameters } from './named-columns';
import { PlanBuilder } from './plan-builder';
import { EXTREMITY_COLUMNS, type WritePlan } from './write-plan';

const v11 = getRoomVersion('11') as RoomVersion;
const v12 = getRoomVersion('12') as RoomVersion;

function event(id: string, extra: Partial<RoomEvent> = {}): RoomEvent {
  return {
    event_id: id,
    room_id: '!r:hs',
    type: 'm.room.message',
    sender: '@a:hs',
    content: { body: id },
    origin_server_ts: 1,
    depth: 3,
    prev_events: ['$prev'],
    auth_events: ['$create', '$member'],
    ...extra,
  };
}

describe('PlanBuilder', () => {
  it('numbers timeline events up and backfilled ones down, and gives outliers no position', () => {
    const plan = new PlanBuilder();
    plan.addEvent(event('$t1'), v11, 'timeline', { before: 1, after: 1 }, { prev: true, auth: true });
    plan.addEvent(event('$b1'), v11, 'backfill', { before: 1, after: 1 }, { prev: true, auth: false });
    plan.addEvent(event('$t2'), v11, 'timeline', { before: 1, after: 1 }, { prev: true, auth: true });
    plan.addEvent(event('$o1'), v11, 'outlier', { before: null, after: null }, { prev: false, auth: true });
    plan.addEvent(event('$b2'), v11, 'backfill', { before: 1, after: 1 }, { prev: true, auth: false });
    const written = plan.finish();
    expect(written.events.map((row) => [row.event_id, row.stream_offset])).toEqual([
      ['$t1', 1],
      ['$b1', -1],
      ['$t2', 2],
      ['$o1', null],
      ['$b2', -2],
    ]);
    expect(written.timelineCount).toBe(2);
    expect(written.backfillCount).toBe(2);
    expect(written.prevEdges.map((row) => row.event_id)).toEqual(['$t1', '$b1', '$t2', '$b2']);
    expect(written.authEdges.map((row) => row.event_id)).toEqual(['$t1', '$t1', '$t2', '$t2', '$o1', '$o1']);
  });

  it('places timeline events only in room activity, marking the types that bump a room list', () => {
    const plan = new PlanBuilder();
    plan.addEvent(event('$said'), v11, 'timeline', { before: 1, after: 1 }, { prev: true, auth: true });
    const topic = event('$topic', { type: 'm.room.topic', state_key: '', content: { topic: 't' } });
    plan.addEvent(topic, v11, 'timeline', { before: 1, after: 2 }, { prev: true, auth: true });
    plan.addEvent(event('$old'), v11, 'backfill', { before: 1, after: 1 }, { prev: true, auth: false });
    plan.addEvent(event('$auth'), v11, 'outlier', { before: null, after: null }, { prev: false, auth: true });
    expect(plan.finish().activity).toEqual([
      { event_id: '$said', room_id: '!r:hs', stream_offset: 1, bumps: true },
      { event_id: '$topic', room_id: '!r:hs', stream_offset: 2, bumps: false },
    ]);
  });

  it('takes an event once, and keeps relations, redactions and notifications for the timeline only', () => {
    const plan = new PlanBuilder();
    const reaction = event('$r', {
      type: 'm.reaction',
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$t', key: 'x' } },
    });
    plan.addEvent(
      reaction,
      v11,
      'timeline',
      { before: 1, after: 1 },
      { prev: true, auth: true },
      { notifications: { threadId: 'main', users: ['@b:hs'], highlights: [true] } },
    );
    plan.addEvent(reaction, v11, 'outlier', { before: null, after: null }, { prev: false, auth: true });
    plan.addEvent(
      event('$x', { type: 'm.room.redaction', redacts: '$t' }),
      v11,
      'backfill',
      { before: 1, after: 1 },
      { prev: true, auth: false },
    );
    const written = plan.finish();
    expect(written.events).toHaveLength(2);
    expect(written.relations).toEqual([
      {
        event_id: '$r',
        room_id: '!r:hs',
        relates_to_id: '$t',
        rel_type: 'm.annotation',
        type: 'm.reaction',
        stream_offset: 1,
      },
    ]);
    expect(written.notifications).toEqual([
      { user_id: '@b:hs', room_id: '!r:hs', event_id: '$r', stream_offset: 1, thread_id: 'main', highlight: true },
    ]);
    expect(written.redactions).toEqual([]);
  });

  it('stores a v12 create event without room_id, as it was hashed', () => {
    const plan = new PlanBuilder();
    plan.addEvent(
      event('$c', { type: 'm.room.create', state_key: '', room_id: '!c' }),
      v12,
      'timeline',
      { before: null, after: 2 },
      { prev: true, auth: true },
    );
    plan.addEvent(event('$m', { room_id: '!c' }), v12, 'timeline', { before: 2, after: 2 }, { prev: true, auth: true });
    const [create, message] = plan.finish().events.map((row) => JSON.parse(row.pdu) as Record<string, unknown>);
    expect(create).not.toHaveProperty('room_id');
    expect(create).not.toHaveProperty('event_id');
    expect(message?.room_id).toBe('!c');
  });

  it('sets each room its own extremities, the last call winning', () => {
    const plan = new PlanBuilder();
    plan.setExtremities('!a', ['$1']);
    plan.setExtremities('!b', ['$2']);
    plan.setExtremities('!a', ['$3', '$4']);
    expect(plan.finish().extremities).toEqual([
      { room_id: '!b', event_id: '$2' },
      { room_id: '!a', event_id: '$3' },
      { room_id: '!a', event_id: '$4' },
    ]);
  });
});

describe('StatementParameters', () => {
  it('sends rows as one typed array per named column, in $n order', () => {
    const p = new StatementParameters<WritePlan>();
    const first = p.value('int', (plan) => plan.timelineCount);
    const rows = p.rows('l', EXTREMITY_COLUMNS, (plan) => plan.extremities);
    expect(first).toBe('$1::int');
    expect(rows).toBe('unnest($2::text[], $3::text[]) AS l (room_id, event_id)');
    const plan = new PlanBuilder();
    plan.setExtremities('!a', ['$1', '$2']);
    expect(p.valuesOf(plan.finish())).toEqual([0, ['!a', '!a'], ['$1', '$2']]);
  });
});
