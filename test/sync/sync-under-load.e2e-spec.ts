import { signUp, startTestHomeserver, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SENDERS = 4;
const EVENTS_PER_SENDER = 250;

/**
 * The issue's correctness test: concurrent senders into shared rooms while clients long-poll.
 * Every client must see every event exactly once, in stream order, with no gap between
 * incremental syncs, however the writers' commits interleave.
 */
describe('/sync under concurrent writers', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'load.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('delivers every event exactly once, in order, to every long-polling client', async () => {
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => signUp(hs.url, `sender${i}`)));
    const readers = await Promise.all(Array.from({ length: 3 }, (_, i) => signUp(hs.url, `reader${i}`)));
    const rooms: string[] = [];
    for (let r = 0; r < 2; r++) {
      const roomId = (await senders[0]!.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
      for (const member of [...senders.slice(1), ...readers])
        expect((await member.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
      rooms.push(roomId);
    }
    const starts = await Promise.all(
      readers.map(
        async (reader) =>
          (await reader.get(`${V3}/sync?filter=${encodeURIComponent(FILTER)}`)).body.next_batch as string,
      ),
    );

    let sending = true;
    const seen = readers.map(() => [] as string[]);
    const polling = readers.map(async (reader, r) => {
      let since = starts[r] as string;
      const expected = SENDERS * EVENTS_PER_SENDER;
      while (seen[r]!.length < expected) {
        const res = await reader.get(
          `${V3}/sync?since=${since}&timeout=${sending ? 5000 : 500}&filter=${encodeURIComponent(FILTER)}`,
        );
        expect(res.status).toBe(200);
        since = res.body.next_batch as string;
        const received = rooms.flatMap((roomId) => (res.body.rooms.join[roomId]?.timeline.events ?? []) as LooseBody[]);
        for (const event of received) if (event.type === 'm.room.message') seen[r]!.push(event.content.body as string);
        if (!sending && received.length === 0) break;
      }
    });

    await Promise.all(
      senders.map(async (sender, s) => {
        for (let i = 0; i < EVENTS_PER_SENDER; i++) {
          const res = await sender.put(
            `${V3}/rooms/${encodeURIComponent(rooms[i % 2]!)}/send/m.room.message/l${s}-${i}`,
            { msgtype: 'm.text', body: `${s}:${i}` },
          );
          expect(res.status).toBe(200);
        }
      }),
    );
    sending = false;
    await Promise.all(polling);

    for (const events of seen) {
      expect(events).toHaveLength(SENDERS * EVENTS_PER_SENDER);
      expect(new Set(events).size).toBe(events.length);
      // In each room, each sender's events arrive in the order they were sent (a sync response
      // groups events by room, so order is per room, as the spec has it).
      for (let s = 0; s < SENDERS; s++) {
        for (const parity of [0, 1]) {
          const own = events
            .map((body) => body.split(':').map(Number) as [number, number])
            .filter(([sender, i]) => sender === s && i % 2 === parity)
            .map(([, i]) => i);
          expect(own).toEqual(own.map((_, k) => 2 * k + parity));
        }
      }
    }
  }, 90_000);
});

/** A timeline limit higher than any one sync's catch-up, so nothing is cut by `limited`. */
const FILTER = JSON.stringify({ room: { timeline: { limit: 500 } } });
