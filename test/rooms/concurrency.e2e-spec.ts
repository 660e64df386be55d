import { DataSource } from 'typeorm';
import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('concurrent writers in one room', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'cc.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('keeps the event graph a single line: every event builds on the one before it', async () => {
    const anon = new TestClient(hs.url);
    const senders = await Promise.all(['a', 'b', 'c', 'd'].map(async (name) => new TestClient(hs.url, (await anon.registerOpen(name, 'pw')).body.access_token)));
    const roomId: string = (await senders[0]!.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await Promise.all(senders.slice(1).map((s) => s.post(`${V3}/join/${roomId}`, {})));
    const results = await Promise.all(
      senders.flatMap((s, i) => Array.from({ length: 10 }, (_, j) => s.put(`${V3}/rooms/${roomId}/send/m.room.message/c${i}-${j}`, { msgtype: 'm.text', body: `${i}-${j}` }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);

    const db = hs.server.app.get(DataSource);
    const extremities: unknown[] = await db.query('SELECT event_id FROM room_forward_extremities WHERE room_id = $1', [roomId]);
    expect(extremities).toHaveLength(1);
    // No event is the parent of two others, and every event but the first has exactly one parent.
    const shared: unknown[] = await db.query(
      'SELECT prev_event_id FROM event_edges e JOIN events ev ON ev.event_id = e.event_id WHERE ev.room_id = $1 GROUP BY prev_event_id HAVING count(*) > 1',
      [roomId],
    );
    expect(shared).toEqual([]);
    const depths: Array<{ depth: string }> = await db.query('SELECT depth FROM events WHERE room_id = $1 ORDER BY stream_ordering', [roomId]);
    expect(depths.map((d) => Number(d.depth))).toEqual(depths.map((_, i) => i + 1));
  });
});
