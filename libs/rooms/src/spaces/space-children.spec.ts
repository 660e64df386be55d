import { childrenToFollow, compareSpaceChildren, type SpaceChildState } from './space-children';

function child(roomId: string, ts: number, content: Record<string, unknown> = {}): SpaceChildState {
  return {
    type: 'm.space.child',
    state_key: roomId,
    sender: '@ana:hearth.test',
    origin_server_ts: ts,
    content: { via: ['hearth.test'], ...content },
  };
}

describe('space children', () => {
  it('orders by `order`, then origin_server_ts, then room ID, ordered children first', () => {
    const sorted = [
      child('!d:x', 1),
      child('!c:x', 1),
      child('!b:x', 0),
      child('!a:x', 5, { order: 'b' }),
      child('!e:x', 9, { order: 'a' }),
      child('!f:x', 0, { order: 'x'.repeat(51) }), // too long: as if unordered
      child('!g:x', 0, { order: 'caf\u00e9' }), // not printable ASCII: as if unordered
    ].sort(compareSpaceChildren);
    expect(sorted.map((c) => c.state_key)).toEqual(['!e:x', '!a:x', '!b:x', '!f:x', '!g:x', '!c:x', '!d:x']);
  });

  it('follows only children with a via, only suggested ones when asked', () => {
    const children = [
      child('!a:x', 1, { suggested: true }),
      child('!b:x', 2),
      { ...child('!c:x', 3), content: {} }, // removed child
      { ...child('!d:x', 4), content: { via: [] } },
      { ...child('!e:x', 5), content: { via: 'hearth.test' } },
      { ...child('not-a-room', 6) },
    ];
    expect(childrenToFollow(children, false).map((c) => c.state_key)).toEqual(['!a:x', '!b:x']);
    expect(childrenToFollow(children, true).map((c) => c.state_key)).toEqual(['!a:x']);
  });
});
