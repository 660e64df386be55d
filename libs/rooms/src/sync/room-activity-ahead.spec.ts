import type { EntityManager } from 'typeorm';
import { activityUpTo, type ActivityAfter, type MembershipRow, type SyncRepository } from '../storage/sync.repository';
import { RoomSyncReader } from './room-sync-reader';

const em = {} as EntityManager;
const ana = '@ana:hearth.test';
const row = (roomId: string): MembershipRow => ({
  roomId,
  roomVersion: '10',
  membership: 'join',
  position: 1,
  eventId: `$${roomId}`,
});

/** A repository whose activity reads answer from a list, one per call, and are counted. */
function readerWith(answers: ActivityAfter[], memberships: MembershipRow[]) {
  const calls: Array<{ roomIds: readonly string[]; since: number }> = [];
  const sync = {
    activityAfter: (roomIds: readonly string[], since: number) => {
      calls.push({ roomIds, since });
      const answer = answers.shift();
      return answer ? Promise.resolve(answer) : Promise.reject(new Error('no more answers'));
    },
    memberships: () => Promise.resolve(memberships),
  } as unknown as SyncRepository;
  const deps = [sync, {}, {}, {}, {}, {}, {}] as unknown as ConstructorParameters<typeof RoomSyncReader>;
  return { reader: new RoomSyncReader(...deps), calls };
}

const message = (roomId: string, position: number) => ({ roomId, userId: null, membership: 'leave', position });
const member = (roomId: string, userId: string, membership: string, position: number) => ({
  roomId,
  userId,
  membership,
  position,
});

/** The rooms' activity read beside a woken sync's first statement (RoomSyncReader.activityAhead). */
describe('RoomSyncReader: activity read ahead', () => {
  it('takes what lies up to the positions from an open-ended read, membership changes in order', () => {
    const after: ActivityAfter = {
      bound: 9,
      events: [
        message('!a', 5),
        member('!a', '@bea:x', 'join', 5),
        message('!b', 7),
        member('!b', '@cy:x', 'leave', 8),
      ],
    };
    expect(activityUpTo(after, 7)).toEqual({
      withEvents: new Set(['!a', '!b']),
      membershipChanges: [{ roomId: '!a', userId: '@bea:x', membership: 'join' }],
    });
  });

  it('has nothing to read ahead for a user whose memberships it has never read', () => {
    const { reader, calls } = readerWith([], []);
    expect(reader.activityAhead(ana, 4, em)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("answers from the read ahead when its rooms and start agree and its snapshot reaches the sync's positions", async () => {
    const { reader, calls } = readerWith([{ bound: 6, events: [message('!b', 5)] }], [row('!a'), row('!b')]);
    await reader.memberships(ana, em);
    const ahead = reader.activityAhead(ana, 4, em);
    const activity = await reader.roomActivity(['!b', '!a'], 4, 6, em, ahead);
    expect(activity.withEvents).toEqual(new Set(['!b']));
    expect(calls).toEqual([{ roomIds: ['!a', '!b'], since: 4 }]);
  });

  it('reads again when the read ahead saw less than the positions (a commit between the two snapshots)', async () => {
    const { reader, calls } = readerWith(
      [
        { bound: 5, events: [message('!a', 5)] },
        { bound: 6, events: [message('!a', 5), message('!b', 6)] },
      ],
      [row('!a'), row('!b')],
    );
    await reader.memberships(ana, em);
    const ahead = reader.activityAhead(ana, 4, em);
    await ahead?.read;
    const activity = await reader.roomActivity(['!a', '!b'], 4, 6, em, ahead);
    expect(activity.withEvents).toEqual(new Set(['!a', '!b']));
    expect(calls).toHaveLength(2);
  });

  it("reads again for the sync's own rooms when they are not the ones read ahead (a room joined meanwhile)", async () => {
    const { reader, calls } = readerWith(
      [
        { bound: 6, events: [] },
        { bound: 6, events: [message('!new', 6)] },
      ],
      [row('!a')],
    );
    await reader.memberships(ana, em);
    const ahead = reader.activityAhead(ana, 4, em);
    await ahead?.read;
    const activity = await reader.roomActivity(['!a', '!new'], 4, 6, em, ahead);
    expect(activity.withEvents).toEqual(new Set(['!new']));
    expect(calls.map((call) => [...call.roomIds].sort())).toEqual([['!a'], ['!a', '!new']]);
  });

  it('leaves a failed read ahead unheard when the sync does not use it', async () => {
    const { reader } = readerWith([], [row('!a')]);
    await reader.memberships(ana, em);
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      reader.activityAhead(ana, 4, em);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
