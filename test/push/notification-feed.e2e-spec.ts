import { NotificationFeed, type CommittedNotification } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('the notifications feed (what push and back-at notices read after each commit)', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let roomId: string;
  let feed: NotificationFeed;
  let tx: TransactionRunner;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'feed.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    const bea = await signUp(hs.url, 'bea');
    const cara = await signUp(hs.url, 'cara');
    roomId = (await ana.post(`${V3}/createRoom`, { invite: ['@bea:feed.example', '@cara:feed.example'] })).body.room_id;
    await bea.post(`${V3}/rooms/${roomId}/join`, {});
    await cara.post(`${V3}/rooms/${roomId}/join`, {});
    feed = hs.server.app.get(NotificationFeed);
    tx = hs.server.app.get(TransactionRunner);
  });
  afterAll(() => hs.destroy());

  const since = (after: number, window: number) => tx.read((em) => feed.since(after, window, em));

  it('reads a window of positions at a time, each notification once and in order, up to the committed position', async () => {
    const start = (await since(0, 1_000_000)).upTo;
    const sent: string[] = [];
    for (let i = 0; i < 6; i++)
      sent.push(
        (await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/f${i}`, { msgtype: 'm.text', body: `${i}` })).body
          .event_id,
      );

    const read: CommittedNotification[] = [];
    let position = start;
    let rounds = 0;
    for (let more = true; more; rounds++) {
      const round = await since(position, 2);
      expect(round.upTo - position).toBeLessThanOrEqual(2);
      for (const notification of round.notifications) {
        expect(notification.streamOrdering).toBeGreaterThan(position);
        expect(notification.streamOrdering).toBeLessThanOrEqual(round.upTo);
      }
      read.push(...round.notifications);
      position = round.upTo;
      more = round.more;
    }

    expect(rounds).toBe(3);
    expect([...new Set(read.map((n) => n.eventId))]).toEqual(sent);
    expect(read.map((n) => `${n.eventId} ${n.userId}`)).toEqual(
      sent.flatMap((eventId) => [`${eventId} @bea:feed.example`, `${eventId} @cara:feed.example`]),
    );
    expect(read.every((n) => n.roomId === roomId && !n.highlight)).toBe(true);
    const after = await since(position, 2);
    expect(after).toEqual({ notifications: [], upTo: position, more: false });
  });
});
