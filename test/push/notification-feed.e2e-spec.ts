import { NotificationFeed, RecentNotifications, type CommittedNotification } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('the notifications feed (what push and back-at notices read after each commit)', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let roomId: string;
  let feed: NotificationFeed;
  /** A feed that has heard of no write, like another process's: it reads everything from the database. */
  let unheard: NotificationFeed;
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
    unheard = new NotificationFeed(new RecentNotifications());
    tx = hs.server.app.get(TransactionRunner);
  });
  afterAll(() => hs.destroy());

  async function sendSix(prefix: string): Promise<string[]> {
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const path = `${V3}/rooms/${roomId}/send/m.room.message/${prefix}${i}`;
      sent.push((await ana.put(path, { msgtype: 'm.text', body: `${i}` })).body.event_id);
    }
    return sent;
  }

  it.each([
    ['this process heard of (from memory)', () => feed],
    ['another process wrote (from the database)', () => unheard],
  ])(
    'reads notifications %s a window of positions at a time, each once and in order, up to the committed position',
    async (_, reader) => {
      const since = (after: number, window: number) => tx.read((em) => reader().since(after, window, em));
      const start = (await tx.read((em) => unheard.since(0, 1_000_000, em))).upTo;
      const sent = await sendSix(String(start));

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
    },
  );
});
