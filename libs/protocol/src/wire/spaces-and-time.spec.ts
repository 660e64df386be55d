import { SpaceHierarchyAnswer, TimestampToEventAnswer } from './spaces-and-time';

describe('space hierarchy and timestamp answers', () => {
  it("takes the spec's example hierarchy answer, leniently", () => {
    const parsed = SpaceHierarchyAnswer.parse({
      room: {
        room_id: '!space:example.org',
        name: 'The First Space',
        world_readable: true,
        join_rule: 'public',
        room_type: 'm.space',
        num_joined_members: 42,
        children_state: [
          {
            type: 'm.space.child',
            state_key: '!a:example.org',
            content: { via: ['example.org'] },
            sender: '@alice:example.org',
            origin_server_ts: 1629413349153,
          },
          { type: 'm.space.child', state_key: 'not a room', content: {}, sender: '@x:y', origin_server_ts: 1 },
        ],
      },
      children: [
        { room_id: '!a:example.org', join_rule: 'restricted', allowed_room_ids: ['!upstream:example.org'], name: 7 },
        { room_id: 'nonsense' },
        'not an object',
      ],
      inaccessible_children: ['!secret:example.org', 42],
    });
    expect(parsed.room).toMatchObject({ room_id: '!space:example.org', guest_can_join: false, num_joined_members: 42 });
    expect(parsed.room.children_state.map((child) => child.state_key)).toEqual(['!a:example.org']);
    expect(parsed.children).toEqual([
      {
        room_id: '!a:example.org',
        join_rule: 'restricted',
        allowed_room_ids: ['!upstream:example.org'],
        num_joined_members: 0,
        world_readable: false,
        guest_can_join: false,
        children_state: [],
      },
    ]);
    expect(parsed.inaccessible_children).toEqual(['!secret:example.org']);
  });

  it('refuses a hierarchy answer without its room, and a timestamp answer without an event', () => {
    expect(SpaceHierarchyAnswer.safeParse({ children: [], inaccessible_children: [] }).success).toBe(false);
    expect(TimestampToEventAnswer.safeParse({ origin_server_ts: 1 }).success).toBe(false);
    expect(TimestampToEventAnswer.parse({ event_id: '$e', origin_server_ts: 1432684800000 }).event_id).toBe('$e');
  });
});
