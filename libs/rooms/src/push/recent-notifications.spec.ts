import type { CommittedNotification } from './committed-notification';
import { RecentNotifications } from './recent-notifications';

const notified = (streamOrdering: number, userId = '@bea:x'): CommittedNotification => ({
  userId,
  roomId: '!r:x',
  eventId: `$${streamOrdering}`,
  streamOrdering,
  highlight: false,
});

describe('RecentNotifications', () => {
  it('answers an unbroken run of ranges from the position asked, within the window', () => {
    const recent = new RecentNotifications();
    recent.record(10, 12, [notified(11), notified(12)]);
    recent.record(12, 13, []);
    recent.record(13, 15, [notified(15, '@bea:x'), notified(15, '@cara:x')]);

    expect(recent.since(10, 100)).toEqual({
      notifications: [notified(11), notified(12), notified(15, '@bea:x'), notified(15, '@cara:x')],
      upTo: 15,
      more: false,
    });
    expect(recent.since(10, 3)).toEqual({ notifications: [notified(11), notified(12)], upTo: 13, more: true });
    expect(recent.since(12, 3)?.upTo).toBe(15);
  });

  it('always answers at least the first range, however large', () => {
    const recent = new RecentNotifications();
    recent.record(0, 64, [notified(64)]);
    expect(recent.since(0, 2)).toEqual({ notifications: [notified(64)], upTo: 64, more: false });
  });

  it('leaves a position no range of its own starts at, or a gap another process wrote, to the database', () => {
    const recent = new RecentNotifications();
    recent.record(10, 12, [notified(11)]);
    recent.record(14, 15, [notified(15)]);

    expect(recent.since(9, 100)).toBeUndefined();
    expect(recent.since(11, 100)).toBeUndefined();
    expect(recent.since(10, 100)).toEqual({ notifications: [notified(11)], upTo: 12, more: true });
    expect(recent.since(12, 100)).toBeUndefined();
    expect(recent.since(15, 100)).toBeUndefined();
  });

  it('ignores writes that took no position and forgets the oldest ranges past its limit', () => {
    const recent = new RecentNotifications();
    recent.record(5, 5, [notified(5)]);
    expect(recent.since(5, 10)).toBeUndefined();
    for (let from = 0; from < 2_001; from++) recent.record(from, from + 1, []);
    expect(recent.since(0, 10)).toBeUndefined();
    expect(recent.since(1, 10)).toEqual({ notifications: [], upTo: 11, more: true });
  });
});
