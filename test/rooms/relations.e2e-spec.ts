import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const V1 = '/_matrix/client/v1';

describe('edits, reactions and threads', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let carl: TestClient;
  let roomId: string;
  let root: string;
  let txn = 0;

  const send = (client: TestClient, content: Record<string, unknown>, type = 'm.room.message') =>
    client.put(`${V3}/rooms/${roomId}/send/${type}/t${txn++}`, content).then((res) => res.body.event_id as string);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'rel.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    carl = await signUp(hs.url, 'carl');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await bea.post(`${V3}/join/${roomId}`, {});
    root = await send(ana, { msgtype: 'm.text', body: 'Lunch?' });
  });
  afterAll(() => hs.destroy());

  it('lists an edit and reactions, filtered by relation type and event type', async () => {
    const edit = await send(ana, {
      msgtype: 'm.text',
      body: '* Lunch at 12?',
      'm.new_content': { msgtype: 'm.text', body: 'Lunch at 12?' },
      'm.relates_to': { rel_type: 'm.replace', event_id: root },
    });
    const thumbs = await send(
      bea,
      { 'm.relates_to': { rel_type: 'm.annotation', event_id: root, key: '👍' } },
      'm.reaction',
    );
    const all = await ana.get(`${V1}/rooms/${roomId}/relations/${root}`);
    expect(all.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([thumbs, edit]);
    const edits = await ana.get(`${V1}/rooms/${roomId}/relations/${root}/m.replace`);
    expect(edits.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([edit]);
    const reactions = await ana.get(`${V1}/rooms/${roomId}/relations/${root}/m.annotation/m.reaction`);
    expect(reactions.body.chunk).toHaveLength(1);
    expect(reactions.body.chunk[0].content['m.relates_to'].key).toBe('👍');
  });

  it('pages relations with next_batch', async () => {
    for (let i = 0; i < 3; i++)
      await send(bea, { 'm.relates_to': { rel_type: 'm.annotation', event_id: root, key: `k${i}` } }, 'm.reaction');
    const first = await ana.get(`${V1}/rooms/${roomId}/relations/${root}/m.annotation?limit=2`);
    expect(first.body.chunk).toHaveLength(2);
    const rest = await ana.get(
      `${V1}/rooms/${roomId}/relations/${root}/m.annotation?limit=10&from=${first.body.next_batch}`,
    );
    expect(rest.body.chunk).toHaveLength(2);
    expect(new Set([...first.body.chunk, ...rest.body.chunk].map((e: { event_id: string }) => e.event_id)).size).toBe(
      4,
    );
  });

  it('lists threads with their summary, and only the participated ones on request', async () => {
    const threadRoot = await send(ana, { msgtype: 'm.text', body: 'Thread about the offsite' });
    await send(bea, {
      msgtype: 'm.text',
      body: 'I am in',
      'm.relates_to': { rel_type: 'm.thread', event_id: threadRoot },
    });
    const latest = await send(bea, {
      msgtype: 'm.text',
      body: 'Bring boots',
      'm.relates_to': { rel_type: 'm.thread', event_id: threadRoot },
    });
    const threads = await ana.get(`${V1}/rooms/${roomId}/threads`);
    expect(threads.body.chunk).toHaveLength(1);
    expect(threads.body.chunk[0].event_id).toBe(threadRoot);
    expect(threads.body.chunk[0].unsigned['m.relations']['m.thread']).toMatchObject({
      count: 2,
      current_user_participated: true,
      latest_event: { event_id: latest },
    });
    expect((await bea.get(`${V1}/rooms/${roomId}/threads?include=participated`)).body.chunk).toHaveLength(1);
    const other = await send(ana, { msgtype: 'm.text', body: 'Another thread' });
    await send(ana, { msgtype: 'm.text', body: 'only me', 'm.relates_to': { rel_type: 'm.thread', event_id: other } });
    const beaParticipated = (await bea.get(`${V1}/rooms/${roomId}/threads?include=participated`)).body.chunk.map(
      (e: { event_id: string }) => e.event_id,
    );
    expect(beaParticipated).toEqual([threadRoot]);
  });

  it('keeps outsiders out', async () => {
    expect((await carl.get(`${V1}/rooms/${roomId}/relations/${root}`)).status).toBe(403);
    expect((await carl.get(`${V1}/rooms/${roomId}/threads`)).status).toBe(403);
    expect((await ana.get(`${V1}/rooms/${roomId}/relations/$unknown`)).status).toBe(404);
  });
});
