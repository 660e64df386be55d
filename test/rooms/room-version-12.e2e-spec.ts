import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('room version 12', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'v12.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('names the room after its create event and treats the creator as above power levels', async () => {
    const created = await ana.post(`${V3}/createRoom`, { room_version: '12', preset: 'public_chat', name: 'Twelve' });
    expect(created.status).toBe(200);
    const roomId: string = created.body.room_id;
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);

    const state = (
      await ana.get<Array<{ type: string; event_id: string; content: Record<string, unknown> }>>(
        `${V3}/rooms/${encodeURIComponent(roomId)}/state`,
      )
    ).body;
    const create = state.find((e) => e.type === 'm.room.create');
    expect(create?.event_id).toBe(`$${roomId.slice(1)}`);
    expect(create?.content).toEqual({ room_version: '12' });
    expect(state.find((e) => e.type === 'm.room.power_levels')?.content.users).toEqual({});

    expect((await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const sent = await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/1`, {
      msgtype: 'm.text',
      body: 'hello twelve',
    });
    expect(sent.status).toBe(200);
    // Creators cannot be given a power level, and nobody can demote them.
    const demote = await ana.put(`${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels`, {
      users: { '@ana:v12.example': 0 },
    });
    expect(demote.status).toBe(403);
    expect(
      (await ana.put(`${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.name`, { name: 'Still mine' })).status,
    ).toBe(200);
  });

  it('upgrades a v10 room to v12', async () => {
    const old = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat', name: 'Old' })).body.room_id;
    const res = await ana.post(`${V3}/rooms/${old}/upgrade`, { new_version: '12' });
    expect(res.status).toBe(200);
    expect(res.body.replacement_room).toMatch(/^![A-Za-z0-9_-]{43}$/);
    expect(
      (await ana.get(`${V3}/rooms/${encodeURIComponent(res.body.replacement_room)}/state/m.room.name`)).body,
    ).toEqual({ name: 'Old' });
  });
});
