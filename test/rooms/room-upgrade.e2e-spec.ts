import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('room upgrades', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'up.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('replaces a v9 room by a v11 room that carries its state, alias and power, and tombstones the old one', async () => {
    const old = (
      await ana.post(`${V3}/createRoom`, {
        preset: 'public_chat',
        room_version: '9',
        name: 'Ops',
        topic: 'On call',
        room_alias_name: 'ops',
      })
    ).body.room_id;
    await bea.post(`${V3}/join/${old}`, {});
    expect((await bea.post(`${V3}/rooms/${old}/upgrade`, { new_version: '11' })).status).toBe(403);
    expect((await ana.post(`${V3}/rooms/${old}/upgrade`, { new_version: '99' })).body.errcode).toBe(
      'M_UNSUPPORTED_ROOM_VERSION',
    );

    const res = await ana.post(`${V3}/rooms/${old}/upgrade`, { new_version: '11' });
    expect(res.status).toBe(200);
    const replacement = res.body.replacement_room;

    const newState = (
      await ana.get<Array<{ type: string; content: Record<string, unknown> }>>(`${V3}/rooms/${replacement}/state`)
    ).body;
    const content = (type: string) => newState.find((e) => e.type === type)?.content;
    expect(content('m.room.create')).toMatchObject({ room_version: '11', predecessor: { room_id: old } });
    expect(content('m.room.create')).not.toHaveProperty('creator');
    expect(content('m.room.name')).toEqual({ name: 'Ops' });
    expect(content('m.room.topic')).toEqual({ topic: 'On call' });
    expect(content('m.room.join_rules')).toEqual({ join_rule: 'public' });
    expect(content('m.room.canonical_alias')).toEqual({ alias: '#ops:up.example' });

    expect((await ana.get(`${V3}/rooms/${old}/state/m.room.tombstone`)).body).toMatchObject({
      replacement_room: replacement,
    });
    expect((await bea.get(`${V3}/directory/room/${encodeURIComponent('#ops:up.example')}`)).body.room_id).toBe(
      replacement,
    );
    // The old room is muted for ordinary members; they follow the tombstone to the new one.
    expect((await bea.put(`${V3}/rooms/${old}/send/m.room.message/x`, { body: 'still here?' })).status).toBe(403);
    expect((await bea.post(`${V3}/join/${replacement}`, {})).status).toBe(200);
  });
});
