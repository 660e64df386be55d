import type { MembershipRow } from '@hearth/rooms';
import type { RoomFacts } from './room-facts';
import { applyList, orderRoomList } from './room-list';
import type { ListConfig } from './sliding-request';

const member = (roomId: string, membership: string, position: number): MembershipRow => ({
  roomId,
  membership,
  position,
  roomVersion: '10',
  eventId: `$${roomId}`,
});
const noFacts: RoomFacts = {
  dmRooms: new Set(),
  encrypted: new Set(),
  roomTypes: new Map(),
  spaceChildren: new Map(),
  tags: new Map(),
};
const list = (ranges: ListConfig['ranges'], filters: ListConfig['filters'] = {}): ListConfig => ({
  ranges,
  filters,
  timelineLimit: 1,
  requiredState: { include: [], exclude: [], lazyMembers: false },
});

describe('the room list', () => {
  const memberships = [
    member('!a', 'join', 1),
    member('!b', 'join', 2),
    member('!invite', 'invite', 5),
    member('!left', 'leave', 9),
    member('!gone', 'leave', 8),
  ];

  it('orders by the latest activity the user can see, and keeps rooms left only if sent before', () => {
    const ordered = orderRoomList(
      memberships,
      new Map([
        ['!a', 7],
        ['!b', 3],
      ]),
      (roomId) => roomId === '!left',
    );
    expect(ordered.map((room) => [room.membership.roomId, room.activity])).toEqual([
      ['!left', 9],
      ['!a', 7],
      ['!invite', 5],
      ['!b', 3],
    ]);
  });

  it('counts the filtered rooms and picks those in the ranges', () => {
    const ordered = orderRoomList(
      memberships,
      new Map([
        ['!a', 7],
        ['!b', 3],
      ]),
      () => false,
    );
    expect(
      applyList(
        list([
          [0, 0],
          [2, 10],
        ]),
        ordered,
        noFacts,
      ),
    ).toEqual({ count: 3, roomIds: ['!a', '!b'] });
    expect(applyList(list(null, { isInvite: false }), ordered, noFacts)).toEqual({ count: 2, roomIds: ['!a', '!b'] });
    expect(applyList(list([[0, 5]], { isDm: true }), ordered, { ...noFacts, dmRooms: new Set(['!b']) })).toEqual({
      count: 1,
      roomIds: ['!b'],
    });
  });

  it('keeps rooms with any of tags and none of not_tags, not_tags winning', () => {
    const ordered = orderRoomList(
      memberships,
      new Map([
        ['!a', 7],
        ['!b', 3],
      ]),
      () => false,
    );
    const facts = {
      ...noFacts,
      tags: new Map([
        ['!a', ['m.favourite', 'work']],
        ['!b', ['work']],
      ]),
    };
    expect(applyList(list(null, { tags: ['work'] }), ordered, facts).roomIds).toEqual(['!a', '!b']);
    expect(applyList(list(null, { tags: ['work'], notTags: ['m.favourite'] }), ordered, facts).roomIds).toEqual(['!b']);
    expect(applyList(list(null, { notTags: ['work'] }), ordered, facts).roomIds).toEqual(['!invite']);
  });

  it('lets not_room_types win over room_types, null naming rooms without a type', () => {
    const ordered = orderRoomList(memberships, new Map(), () => false);
    const facts = { ...noFacts, roomTypes: new Map([['!a', 'm.space']]) };
    expect(applyList(list(null, { roomTypes: [null] }), ordered, facts).roomIds).toEqual(['!invite', '!b']);
    expect(applyList(list(null, { roomTypes: ['m.space'], notRoomTypes: ['m.space'] }), ordered, facts).count).toBe(0);
  });
});
