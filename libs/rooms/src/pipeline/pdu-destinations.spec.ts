import { getRoomVersion, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import { outboxItems } from './pdu-destinations';

const v11 = getRoomVersion('11') as RoomVersion;

function event(extra: Partial<RoomEvent> = {}): RoomEvent {
  return {
    event_id: '$e',
    room_id: '!r:ours.example',
    type: 'm.room.message',
    sender: '@ana:ours.example',
    content: { body: 'hi' },
    origin_server_ts: 1,
    depth: 3,
    prev_events: ['$prev'],
    auth_events: ['$create'],
    unsigned: { age: 1 },
    ...extra,
  };
}

describe('outboxItems', () => {
  it("sends an event to each joined member's server once, never to ourselves, as a PDU", () => {
    const joined = ['@ana:ours.example', '@bea:a.example', '@cem:a.example', '@dan:b.example:8448'];
    const [item, ...rest] = outboxItems([{ event: event(), version: v11, joined }], 'ours.example');
    expect(rest).toEqual([]);
    expect(item?.destinations.sort()).toEqual(['a.example', 'b.example:8448']);
    expect(item?.pdu).not.toHaveProperty('event_id');
    expect(item?.pdu).not.toHaveProperty('unsigned');
  });

  it("adds a membership's target's server, and leaves out the server that has the event", () => {
    const kick = event({ type: 'm.room.member', state_key: '@eve:c.example', content: { membership: 'leave' } });
    const joined = ['@ana:ours.example', '@bea:a.example'];
    expect(outboxItems([{ event: kick, version: v11, joined }], 'ours.example')[0]?.destinations.sort()).toEqual([
      'a.example',
      'c.example',
    ]);
    expect(
      outboxItems([{ event: kick, version: v11, joined, except: 'a.example' }], 'ours.example')[0]?.destinations,
    ).toEqual(['c.example']);
  });

  it('leaves out events that reach nobody', () => {
    const alone = { event: event(), version: v11, joined: ['@ana:ours.example'] };
    const shared = { event: event({ event_id: '$f' }), version: v11, joined: ['@bea:a.example'] };
    expect(outboxItems([alone, shared], 'ours.example').map((item) => item.destinations)).toEqual([['a.example']]);
  });
});
