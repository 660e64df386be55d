import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('history visibility and knocking', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let carl: TestClient;
  let txn = 0;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'hv.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    carl = await signUp(hs.url, 'carl');
  });
  afterAll(() => hs.destroy());

  async function roomWith(visibility: string) {
    const roomId = (
      await ana.post(`${V3}/createRoom`, {
        preset: 'public_chat',
        initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: visibility } }],
      })
    ).body.room_id as string;
    const early = (
      await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/h${txn++}`, {
        msgtype: 'm.text',
        body: 'before anyone came',
      })
    ).body.event_id as string;
    return { roomId, early };
  }

  const bodies = async (client: TestClient, roomId: string): Promise<string[]> => {
    const filter = encodeURIComponent(JSON.stringify({ types: ['m.room.message'] }));
    const chunk = (
      await client.get<{ chunk: Array<{ content: { body: string } }> }>(
        `${V3}/rooms/${roomId}/messages?dir=b&limit=100&filter=${filter}`,
      )
    ).body.chunk;
    return chunk.map((e) => e.content.body);
  };

  it('shared: a member sees history from before they joined', async () => {
    const { roomId } = await roomWith('shared');
    await bea.post(`${V3}/join/${roomId}`, {});
    expect(await bodies(bea, roomId)).toEqual(['before anyone came']);
  });

  it('joined: a member sees only what was sent while they were joined', async () => {
    const { roomId, early } = await roomWith('joined');
    await bea.post(`${V3}/join/${roomId}`, {});
    await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/h${txn++}`, { msgtype: 'm.text', body: 'welcome bea' });
    expect(await bodies(bea, roomId)).toEqual(['welcome bea']);
    expect((await bea.get(`${V3}/rooms/${roomId}/event/${early}`)).status).toBe(404);
  });

  it('invited: visible from the invite on', async () => {
    const { roomId } = await roomWith('invited');
    await ana.post(`${V3}/rooms/${roomId}/invite`, { user_id: '@bea:hv.example' });
    await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/h${txn++}`, { msgtype: 'm.text', body: 'while invited' });
    await bea.post(`${V3}/join/${roomId}`, {});
    expect(await bodies(bea, roomId)).toEqual(['while invited']);
  });

  it('world_readable: anyone signed in may read without joining', async () => {
    const { roomId, early } = await roomWith('world_readable');
    expect((await carl.get(`${V3}/rooms/${roomId}/event/${early}`)).status).toBe(200);
    expect(await bodies(carl, roomId)).toEqual(['before anyone came']);
    expect((await carl.get(`${V3}/rooms/${roomId}/state/m.room.history_visibility`)).body).toEqual({
      history_visibility: 'world_readable',
    });
    const shared = (await roomWith('shared')).roomId;
    expect((await carl.get(`${V3}/rooms/${shared}/state`)).status).toBe(403);
  });

  it('knocking: allowed where the join rule says knock (v7+), and the knocker can be let in', async () => {
    const roomId = (
      await ana.post(`${V3}/createRoom`, {
        room_version: '10',
        initial_state: [{ type: 'm.room.join_rules', content: { join_rule: 'knock' } }],
      })
    ).body.room_id as string;
    expect((await carl.post(`${V3}/join/${roomId}`, {})).status).toBe(403);
    expect((await carl.post(`${V3}/knock/${roomId}`, { reason: 'may I?' })).status).toBe(200);
    const knocks = (await ana.get(`${V3}/rooms/${roomId}/members?membership=knock`)).body.chunk;
    expect(
      knocks.map((e: { state_key: string; content: { reason: string } }) => [e.state_key, e.content.reason]),
    ).toEqual([['@carl:hv.example', 'may I?']]);
    expect((await ana.post(`${V3}/rooms/${roomId}/invite`, { user_id: '@carl:hv.example' })).status).toBe(200);
    expect((await carl.post(`${V3}/join/${roomId}`, {})).status).toBe(200);

    const inviteOnly = (await ana.post(`${V3}/createRoom`, {})).body.room_id as string;
    expect((await carl.post(`${V3}/knock/${inviteOnly}`, {})).status).toBe(403);
  });
});
