import { DataSource } from 'typeorm';
import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('concurrent writers', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'cc.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('keeps the event graph a single line: every event builds on the one before it', async () => {
    const anon = new TestClient(hs.url);
    const senders = await Promise.all(
      ['a', 'b', 'c', 'd'].map(
        async (name) => new TestClient(hs.url, (await anon.registerOpen(name, 'pw')).body.access_token),
      ),
    );
    const roomId: string = (await senders[0]!.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await Promise.all(senders.slice(1).map((s) => s.post(`${V3}/join/${roomId}`, {})));
    const results = await Promise.all(
      senders.flatMap((s, i) =>
        Array.from({ length: 10 }, (_, j) =>
          s.put(`${V3}/rooms/${roomId}/send/m.room.message/c${i}-${j}`, { msgtype: 'm.text', body: `${i}-${j}` }),
        ),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);

    const db = hs.server.app.get(DataSource);
    const extremities: unknown[] = await db.query('SELECT event_id FROM room_forward_extremities WHERE room_id = $1', [
      roomId,
    ]);
    expect(extremities).toHaveLength(1);
    // No event is the parent of two others, and every event but the first has exactly one parent.
    const shared: unknown[] = await db.query(
      'SELECT prev_event_id FROM event_edges e JOIN events ev ON ev.event_id = e.event_id WHERE ev.room_id = $1 GROUP BY prev_event_id HAVING count(*) > 1',
      [roomId],
    );
    expect(shared).toEqual([]);
    const depths: Array<{ depth: string }> = await db.query(
      'SELECT depth FROM events WHERE room_id = $1 ORDER BY stream_ordering',
      [roomId],
    );
    expect(depths.map((d) => Number(d.depth))).toEqual(depths.map((_, i) => i + 1));
  });

  it('writes concurrent sends to many rooms together, and a bad send in a batch harms no other', async () => {
    const anon = new TestClient(hs.url);
    const [ana, bo] = await Promise.all(
      ['ana', 'bo'].map(
        async (name) => new TestClient(hs.url, (await anon.registerOpen(name, 'pw')).body.access_token),
      ),
    );
    const rooms = await Promise.all(
      Array.from(
        { length: 4 },
        async () => (await ana!.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string,
      ),
    );
    const send = (client: TestClient, roomId: string, txnId: string, content: Record<string, unknown>) =>
      client.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`, content);

    const good = rooms.flatMap((roomId, r) =>
      Array.from({ length: 10 }, (_, i) => send(ana!, roomId, `g${r}-${i}`, { msgtype: 'm.text', body: `${r}-${i}` })),
    );
    const [outsider, unknownRoom, tooLarge, first, retry, reused] = [
      send(bo!, rooms[0]!, 'x1', { msgtype: 'm.text', body: 'let me in' }),
      send(ana!, '!nowhere:cc.example', 'x2', { msgtype: 'm.text', body: 'hello?' }),
      send(ana!, rooms[1]!, 'x3', { msgtype: 'm.text', body: 'x'.repeat(70_000) }),
      send(ana!, rooms[2]!, 'dup', { msgtype: 'm.text', body: 'once' }),
      send(ana!, rooms[2]!, 'dup', { msgtype: 'm.text', body: 'once' }),
      send(ana!, rooms[2]!, 'dup', { msgtype: 'm.text', body: 'twice' }),
    ];
    const goodResults = await Promise.all(good);
    expect(goodResults.map((r) => r.status)).toEqual(goodResults.map(() => 200));
    expect((await outsider).body.errcode).toBe('M_FORBIDDEN');
    expect((await unknownRoom).body.errcode).toBe('M_FORBIDDEN');
    expect((await tooLarge).status).toBe(413);
    expect((await first).status).toBe(200);
    expect((await retry).body.event_id).toBe((await first).body.event_id);
    expect((await reused).body.errcode).toBe('M_INVALID_PARAM');

    const db = hs.server.app.get(DataSource);
    const rows: Array<{ room_id: string; depth: string; tx: string }> = await db.query(
      "SELECT room_id, depth, xmin::text AS tx FROM events WHERE room_id = ANY($1) AND type = 'm.room.message' ORDER BY stream_ordering",
      [rooms],
    );
    expect(rows).toHaveLength(41);
    // Sends that arrived together were committed together: fewer transactions than events.
    expect(new Set(rows.map((row) => row.tx)).size).toBeLessThan(rows.length);
    // Within each room, stream order is DAG order.
    for (const roomId of rooms) {
      const depths = rows.filter((row) => row.room_id === roomId).map((row) => Number(row.depth));
      expect(depths).toEqual([...depths].sort((a, b) => a - b));
      expect(new Set(depths).size).toBe(depths.length);
    }
  });

  it('keeps a crowd writing to one room waiting in memory, not on every database connection', async () => {
    const anon = new TestClient(hs.url);
    const [host, other] = await Promise.all(
      ['host', 'other'].map(
        async (name) => new TestClient(hs.url, (await anon.registerOpen(name, 'pw')).body.access_token),
      ),
    );
    const crowd = await Promise.all(
      Array.from(
        { length: 14 },
        async (_, i) => new TestClient(hs.url, (await anon.registerOpen(`crowd${i}`, 'pw')).body.access_token),
      ),
    );
    const roomId: string = (await host!.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;

    // Another transaction holds the room's row, as a long write would: every write to the room waits for it.
    const holder = hs.server.app.get(DataSource).createQueryRunner();
    await holder.startTransaction();
    let released = false;
    try {
      await holder.query('SELECT room_id FROM rooms WHERE room_id = $1 FOR UPDATE', [roomId]);
      const joins = crowd.map((member) => member.post(`${V3}/join/${encodeURIComponent(roomId)}`, {}));
      // More joins than the pool has connections wait; the rest of the server does not.
      const elsewhere = await other!.post(`${V3}/createRoom`, { preset: 'private_chat' });
      expect(elsewhere.status).toBe(200);
      await holder.commitTransaction();
      released = true;
      expect((await Promise.all(joins)).map((r) => r.status)).toEqual(crowd.map(() => 200));
    } finally {
      if (!released) await holder.rollbackTransaction();
      await holder.release();
    }
    const members = await host!.get(`${V3}/rooms/${encodeURIComponent(roomId)}/joined_members`);
    expect(Object.keys(members.body.joined)).toHaveLength(15);
  });
});
