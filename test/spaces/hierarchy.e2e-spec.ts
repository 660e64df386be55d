import { signUp, startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const HIERARCHY = (roomId: string, query = '') =>
  `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/hierarchy${query ? `?${query}` : ''}`;
const SERVER = 'spaces.example';

describe('GET /rooms/{roomId}/hierarchy on one server', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: SERVER, registration: 'open' } });
    [ana, bea] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea')]);
  });
  afterAll(() => hs.destroy());

  async function createSpace(client: TestClient, name: string, extra: Record<string, unknown> = {}) {
    const res = await client.post(`${V3}/createRoom`, {
      preset: 'public_chat',
      name,
      creation_content: { type: 'm.space' },
      ...extra,
    });
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  }

  async function createRoom(client: TestClient, body: Record<string, unknown>) {
    const res = await client.post(`${V3}/createRoom`, body);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  }

  async function addChild(client: TestClient, space: string, child: string, content: Record<string, unknown> = {}) {
    const res = await client.put(
      `${V3}/rooms/${encodeURIComponent(space)}/state/m.space.child/${encodeURIComponent(child)}`,
      { via: [SERVER], ...content },
    );
    expect(res.status).toBe(200);
  }

  const ids = (body: LooseBody) => (body.rooms as { room_id: string }[]).map((room) => room.room_id);

  it('walks the tree depth first, children in the spec order, with the spec fields', async () => {
    const space = await createSpace(ana, 'The First Space', { topic: 'No other spaces were created first, ever' });
    const sub = await createSpace(ana, 'Sub');
    const lobby = await createRoom(ana, { preset: 'public_chat', name: 'Lobby' });
    const deep = await createRoom(ana, { preset: 'public_chat', name: 'Deep' });
    const last = await createRoom(ana, { preset: 'public_chat', name: 'Last' });
    await addChild(ana, space, last); // no order: after the ordered ones
    await addChild(ana, space, sub, { order: 'b' });
    await addChild(ana, space, lobby, { order: 'a', suggested: true });
    await addChild(ana, sub, deep);

    const res = await bea.get(HIERARCHY(space));
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([space, lobby, sub, deep, last]);
    expect(res.body.next_batch).toBeUndefined();
    const top = res.body.rooms[0];
    expect(top).toMatchObject({
      room_id: space,
      name: 'The First Space',
      topic: 'No other spaces were created first, ever',
      world_readable: false,
      guest_can_join: false,
      join_rule: 'public',
      room_type: 'm.space',
      num_joined_members: 1,
      room_version: '10',
    });
    expect(top.children_state).toHaveLength(3);
    expect(top.children_state[0]).toEqual({
      type: 'm.space.child',
      state_key: expect.any(String),
      sender: '@ana:spaces.example',
      content: expect.objectContaining({ via: [SERVER] }),
      origin_server_ts: expect.any(Number),
    });
    expect(res.body.rooms[1]).toMatchObject({ room_id: lobby, name: 'Lobby', children_state: [] });
    expect(res.body.rooms[1].room_type).toBeUndefined();

    // max_depth 0: the space alone; 1: its direct children, not the grandchild
    expect(ids((await bea.get(HIERARCHY(space, 'max_depth=0'))).body)).toEqual([space]);
    expect(ids((await bea.get(HIERARCHY(space, 'max_depth=1'))).body)).toEqual([space, lobby, sub, last]);
    // suggested_only: only children marked suggested
    expect(ids((await bea.get(HIERARCHY(space, 'suggested_only=true'))).body)).toEqual([space, lobby]);

    // pagination: two at a time, the same order, then no token
    const first = await bea.get(HIERARCHY(space, 'limit=2'));
    expect(ids(first.body)).toEqual([space, lobby]);
    const second = await bea.get(HIERARCHY(space, `limit=2&from=${encodeURIComponent(first.body.next_batch)}`));
    expect(ids(second.body)).toEqual([sub, deep]);
    const third = await bea.get(HIERARCHY(space, `limit=2&from=${encodeURIComponent(second.body.next_batch)}`));
    expect(ids(third.body)).toEqual([last]);
    expect(third.body.next_batch).toBeUndefined();

    // the filters may not change between pages
    const changed = await bea.get(
      HIERARCHY(space, `limit=2&max_depth=1&from=${encodeURIComponent(first.body.next_batch)}`),
    );
    expect(changed.status).toBe(400);
    expect(changed.body.errcode).toBe('M_INVALID_PARAM');
  });

  it('ends loops: a space containing itself, and two spaces containing each other', async () => {
    const a = await createSpace(ana, 'A');
    const b = await createSpace(ana, 'B');
    await addChild(ana, a, a);
    await addChild(ana, a, b);
    await addChild(ana, b, a);
    const res = await bea.get(HIERARCHY(a));
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([a, b]);
    expect(ids((await bea.get(HIERARCHY(b))).body)).toEqual([b, a]);
  });

  it('hides private and restricted children from those who may not see them, shows them to those who may', async () => {
    const space = await createSpace(ana, 'Org');
    const secret = await createRoom(ana, { preset: 'private_chat', name: 'Secret' });
    const staff = await createRoom(ana, {
      preset: 'private_chat',
      name: 'Staff',
      room_version: '10',
      initial_state: [
        {
          type: 'm.room.join_rules',
          state_key: '',
          content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: space }] },
        },
      ],
    });
    const knockable = await createRoom(ana, {
      preset: 'private_chat',
      name: 'Knock here',
      room_version: '10',
      initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } }],
    });
    const readable = await createRoom(ana, {
      preset: 'private_chat',
      name: 'Readable',
      initial_state: [
        { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'world_readable' } },
      ],
    });
    for (const child of [secret, staff, knockable, readable]) await addChild(ana, space, child);

    // bea is in nothing: the knockable and world-readable rooms, not the private or restricted one
    expect(ids((await bea.get(HIERARCHY(space))).body).sort()).toEqual([space, knockable, readable].sort());
    // once in the space, the restricted room opens to her
    expect((await bea.post(`${V3}/join/${encodeURIComponent(space)}`, {})).status).toBe(200);
    const asMember = (await bea.get(HIERARCHY(space))).body;
    expect(ids(asMember).sort()).toEqual([space, staff, knockable, readable].sort());
    expect(asMember.rooms.find((r: { room_id: string }) => r.room_id === staff)).toMatchObject({
      join_rule: 'restricted',
      allowed_room_ids: [space],
    });
    // an invite opens the private one
    await ana.post(`${V3}/rooms/${encodeURIComponent(secret)}/invite`, { user_id: `@bea:${SERVER}` });
    expect(ids((await bea.get(HIERARCHY(space))).body)).toContain(secret);
    // ana, in all of them, sees them all
    expect(ids((await ana.get(HIERARCHY(space))).body).sort()).toEqual(
      [space, secret, staff, knockable, readable].sort(),
    );
  });

  it('refuses a space the user may not see, and one that does not exist, alike', async () => {
    const hidden = await createRoom(ana, { preset: 'private_chat', creation_content: { type: 'm.space' } });
    for (const roomId of [hidden, '!nowhere:spaces.example']) {
      const res = await bea.get(HIERARCHY(roomId));
      expect(res.status).toBe(403);
      expect(res.body.errcode).toBe('M_FORBIDDEN');
    }
  });

  it('answers bad parameters with 400 M_INVALID_PARAM, and needs an access token', async () => {
    const space = await createSpace(ana, 'Params');
    for (const query of ['limit=0', 'limit=ten', 'max_depth=-1', 'suggested_only=maybe', 'from=garbage']) {
      const res = await bea.get(HIERARCHY(space, query));
      expect([query, res.status, res.body.errcode]).toEqual([query, 400, 'M_INVALID_PARAM']);
    }
    // a token from another space's walk is not one for this space
    const other = await createSpace(ana, 'Other');
    const big = await createRoom(ana, { preset: 'public_chat' });
    await addChild(ana, other, big);
    const page = await bea.get(HIERARCHY(other, 'limit=1'));
    const foreign = await bea.get(HIERARCHY(space, `limit=1&from=${encodeURIComponent(page.body.next_batch)}`));
    expect(foreign.body.errcode).toBe('M_INVALID_PARAM');
    expect((await bea.get(HIERARCHY('not-a-room'))).body.errcode).toBe('M_INVALID_PARAM');
    expect((await new TestClient(hs.url).get(HIERARCHY(space))).body.errcode).toBe('M_MISSING_TOKEN');
  });
});
