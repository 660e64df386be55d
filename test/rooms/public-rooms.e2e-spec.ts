import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('the public room directory', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'dir.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('lists published rooms with their details, biggest first, and pages them', async () => {
    const lobby = (
      await ana.post(`${V3}/createRoom`, {
        visibility: 'public',
        preset: 'public_chat',
        name: 'Lobby',
        topic: 'Say hi',
        room_alias_name: 'lobby',
      })
    ).body.room_id;
    const books = (
      await ana.post(`${V3}/createRoom`, { visibility: 'public', preset: 'public_chat', name: 'Book club' })
    ).body.room_id;
    await ana.post(`${V3}/createRoom`, { name: 'Secret' });
    await bea.post(`${V3}/join/${lobby}`, {});

    const listed = await bea.get(`${V3}/publicRooms`);
    expect(listed.body.total_room_count_estimate).toBe(2);
    expect(listed.body.chunk[0]).toEqual({
      room_id: lobby,
      name: 'Lobby',
      topic: 'Say hi',
      canonical_alias: '#lobby:dir.example',
      num_joined_members: 2,
      join_rule: 'public',
      world_readable: false,
      guest_can_join: false,
    });
    expect(listed.body.chunk[1].room_id).toBe(books);

    const first = await bea.get(`${V3}/publicRooms?limit=1`);
    expect(first.body.chunk).toHaveLength(1);
    const second = await bea.get(`${V3}/publicRooms?limit=1&since=${first.body.next_batch}`);
    expect(second.body.chunk[0].room_id).toBe(books);
    expect(second.body.next_batch).toBeUndefined();

    const search = await bea.post(`${V3}/publicRooms`, { filter: { generic_search_term: 'book' } });
    expect(search.body.chunk.map((r: { room_id: string }) => r.room_id)).toEqual([books]);
  });

  it('lets members with state power publish or hide a room, and no one else', async () => {
    const room = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat', name: 'Later' })).body.room_id;
    expect((await ana.get(`${V3}/directory/list/room/${room}`)).body).toEqual({ visibility: 'private' });
    await bea.post(`${V3}/join/${room}`, {});
    expect((await bea.put(`${V3}/directory/list/room/${room}`, { visibility: 'public' })).status).toBe(403);
    expect((await ana.put(`${V3}/directory/list/room/${room}`, { visibility: 'public' })).status).toBe(200);
    expect((await ana.get(`${V3}/directory/list/room/${room}`)).body).toEqual({ visibility: 'public' });
    expect((await ana.put(`${V3}/directory/list/room/${room}`, { visibility: 'secret' })).body.errcode).toBe(
      'M_BAD_JSON',
    );
  });

  it('needs an access token', async () => {
    expect((await new TestClient(hs.url).get(`${V3}/publicRooms`)).body.errcode).toBe('M_MISSING_TOKEN');
  });
});
