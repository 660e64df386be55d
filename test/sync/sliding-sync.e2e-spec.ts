import { signUp, startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/**
 * Simplified sliding sync (MSC4186) with raw requests: every field of a room result, the list
 * ranges and filters, room subscriptions, `pos` and long-polling.
 */
describe('sliding sync', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let txn = 0;
  const ANA = '@ana:sliding.example';
  const BEA = '@bea:sliding.example';
  const slide = async (client: TestClient, body: LooseBody, query = '') => {
    const res = await client.post(`${SLIDING}${query}`, body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const say = (client: TestClient, room: string, body: string) =>
    client
      .put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body })
      .then((res) => res.body.event_id as string);
  const bodies = (room: LooseBody | undefined) =>
    ((room?.timeline ?? []) as LooseBody[])
      .filter((e) => e.type === 'm.room.message')
      .map((e) => e.content.body as string);
  const createRoom = async (client: TestClient, body: LooseBody) => {
    const res = await client.post(`${V3}/createRoom`, body);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  };
  const join = async (client: TestClient, roomId: string) =>
    expect((await client.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'sliding.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('is advertised in /versions the way Element X looks for it', async () => {
    const res = await new TestClient(hs.url).get('/_matrix/client/versions');
    expect(res.body.unstable_features['org.matrix.simplified_msc3575']).toBe(true);
  });

  it('answers a first page with each room field', async () => {
    const named = await createRoom(ana, {
      preset: 'private_chat',
      name: 'Plans',
      initial_state: [{ type: 'm.room.avatar', state_key: '', content: { url: 'mxc://sliding.example/pic' } }],
      invite: [BEA],
    });
    await join(bea, named);
    await bea.put(`${V3}/profile/${encodeURIComponent(BEA)}/displayname`, { displayname: 'Bea' });
    const unnamed = await createRoom(ana, { preset: 'private_chat', invite: [BEA] });
    await join(bea, unnamed);
    await say(bea, unnamed, 'hi ana');
    await say(bea, named, 'one');
    await say(bea, named, 'two');

    const page = await slide(ana, {
      lists: {
        all: {
          ranges: [[0, 19]],
          timeline_limit: 1,
          required_state: [
            ['m.room.create', ''],
            ['m.room.member', '$ME'],
            ['m.room.join_rules', '*'],
          ],
        },
      },
    });
    expect(typeof page.pos).toBe('string');
    expect(page.lists.all.count).toBe(2);
    // Newest activity first.
    expect(Object.keys(page.rooms)).toEqual(expect.arrayContaining([named, unnamed]));
    const room = page.rooms[named];
    expect(room).toMatchObject({
      initial: true,
      membership: 'join',
      lists: ['all'],
      name: 'Plans',
      avatar: 'mxc://sliding.example/pic',
      joined_count: 2,
      invited_count: 0,
      limited: true,
      num_live: 0,
      notification_count: expect.any(Number),
      highlight_count: 0,
    });
    expect(room.heroes).toBeUndefined();
    expect(bodies(room)).toEqual(['two']);
    expect(typeof room.bump_stamp).toBe('number');
    expect(page.rooms[unnamed].bump_stamp).toBeLessThan(room.bump_stamp);
    expect((room.required_state as LooseBody[]).map((e) => [e.type as string, e.state_key as string]).sort()).toEqual([
      ['m.room.create', ''],
      ['m.room.join_rules', ''],
      ['m.room.member', ANA],
    ]);
    // prev_batch pages back with /messages.
    const older = await ana.get(
      `${V3}/rooms/${encodeURIComponent(named)}/messages?dir=b&limit=1&from=${encodeURIComponent(room.prev_batch)}`,
    );
    expect(older.status).toBe(200);
    expect(older.body.chunk[0].content.body).toBe('one');
    // A room without a name has heroes, with their display names.
    expect(page.rooms[unnamed].name).toBeUndefined();
    expect(page.rooms[unnamed].heroes).toEqual([{ user_id: BEA, displayname: 'Bea' }]);
  });

  it('sends only what moved after a pos, and moves rooms between list ranges as messages arrive', async () => {
    const first = await createRoom(ana, { preset: 'public_chat', name: 'first' });
    const second = await createRoom(ana, { preset: 'public_chat', name: 'second' });
    await join(bea, first);
    await join(bea, second);
    const list = { top: { ranges: [[0, 0]], timeline_limit: 5, required_state: [['m.room.name', '']] } };
    const start = await slide(bea, { lists: list });
    expect(Object.keys(start.rooms)).toEqual([second]);

    await say(ana, first, 'bump');
    const moved = await slide(bea, { lists: list }, `?pos=${start.pos}`);
    expect(Object.keys(moved.rooms)).toEqual([first]);
    expect(moved.rooms[first].initial).toBe(true);
    expect(moved.rooms[first].name).toBe('first');
    expect(moved.rooms[first].num_live).toBe(1);

    await say(ana, first, 'again');
    const incremental = await slide(bea, { lists: list }, `?pos=${moved.pos}`);
    const again = incremental.rooms[first];
    expect(again.initial).toBeUndefined();
    expect(bodies(again)).toEqual(['again']);
    expect(again.num_live).toBe(1);
    expect(again.name).toBeUndefined();
    expect(again.required_state).toEqual([]);

    // A state change after the pos comes in required_state.
    await ana.put(`${V3}/rooms/${encodeURIComponent(first)}/state/m.room.name/`, { name: 'renamed' });
    const renamed = await slide(bea, { lists: list }, `?pos=${incremental.pos}`);
    expect(renamed.rooms[first].name).toBe('renamed');
    expect(renamed.rooms[first].required_state).toEqual([
      expect.objectContaining({ type: 'm.room.name', content: { name: 'renamed' } }),
    ]);

    // Nothing new: an empty answer at the timeout.
    const quiet = await slide(bea, { lists: list }, `?pos=${renamed.pos}&timeout=100`);
    expect(quiet.rooms).toEqual({});
  });

  it('long-polls until a message arrives', async () => {
    const roomId = await createRoom(ana, { preset: 'public_chat' });
    await join(bea, roomId);
    const list = { all: { ranges: [[0, 99]], timeline_limit: 1, required_state: [] } };
    const start = await slide(bea, { lists: list });
    const began = Date.now();
    const waiting = slide(bea, { lists: list }, `?pos=${start.pos}&timeout=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await say(ana, roomId, 'wake up');
    const woken = await waiting;
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(bodies(woken.rooms[roomId])).toEqual(['wake up']);
  });

  it('loads members lazily: the timeline senders only', async () => {
    const roomId = await createRoom(ana, { preset: 'public_chat' });
    await join(bea, roomId);
    await say(bea, roomId, 'from bea');
    const page = await slide(ana, {
      room_subscriptions: {
        [roomId]: {
          timeline_limit: 1,
          required_state: [
            ['*', '*'],
            ['m.room.member', '$LAZY'],
          ],
        },
      },
    });
    const state = page.rooms[roomId].required_state as LooseBody[];
    expect(state.filter((e) => e.type === 'm.room.member').map((e) => e.state_key as string)).toEqual([BEA]);
    expect(state.map((e) => e.type as string)).toEqual(
      expect.arrayContaining(['m.room.create', 'm.room.power_levels']),
    );
  });

  it('subscribes to rooms by ID, ignores rooms the user may not see, and unsubscribes', async () => {
    const mine = await createRoom(ana, { preset: 'private_chat', name: 'mine' });
    const theirs = await createRoom(bea, { preset: 'private_chat', name: 'secret' });
    const sub = { timeline_limit: 2, required_state: [['m.room.name', '']] };
    const page = await slide(ana, { room_subscriptions: { [mine]: sub, [theirs]: sub } });
    expect(page.rooms[mine]).toMatchObject({ name: 'mine', initial: true });
    expect(page.rooms[mine].lists).toBeUndefined();
    expect(page.rooms[theirs]).toBeUndefined();
    // Subscriptions stay with the connection (matrix-js-sdk sends them once).
    await say(ana, mine, 'still subscribed');
    const next = await slide(ana, {}, `?pos=${page.pos}`);
    expect(bodies(next.rooms[mine])).toEqual(['still subscribed']);
    const gone = await slide(ana, { unsubscribe_rooms: [mine] }, `?pos=${next.pos}`);
    await say(ana, mine, 'unheard');
    const after = await slide(ana, {}, `?pos=${gone.pos}&timeout=100`);
    expect(after.rooms[mine]).toBeUndefined();
  });

  it('filters lists: is_dm, is_encrypted, is_invite, room_types, not_room_types, spaces', async () => {
    const cara = await signUp(hs.url, 'cara');
    const dm = await createRoom(cara, { preset: 'trusted_private_chat', is_direct: true });
    await cara.put(`${V3}/user/${encodeURIComponent('@cara:sliding.example')}/account_data/m.direct`, {
      [BEA]: [dm],
    });
    const encrypted = await createRoom(cara, {
      preset: 'private_chat',
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    const space = await createRoom(cara, { preset: 'private_chat', creation_content: { type: 'm.space' } });
    const child = await createRoom(cara, { preset: 'private_chat' });
    await cara.put(`${V3}/rooms/${encodeURIComponent(space)}/state/m.space.child/${encodeURIComponent(child)}`, {
      via: ['sliding.example'],
    });
    const invitedTo = await createRoom(ana, { preset: 'private_chat', invite: ['@cara:sliding.example'] });

    const list = (filters: LooseBody) => ({ ranges: [[0, 99]], timeline_limit: 0, required_state: [], filters });
    const page = await slide(cara, {
      lists: {
        dms: list({ is_dm: true }),
        notDms: list({ is_dm: false }),
        encrypted: list({ is_encrypted: true }),
        invites: list({ is_invite: true }),
        spaces: list({ room_types: ['m.space'] }),
        noSpaces: list({ not_room_types: ['m.space'] }),
        inSpace: list({ spaces: [space] }),
      },
    });
    const roomsOf = (name: string) =>
      Object.entries(page.rooms as Record<string, LooseBody>)
        .filter(([, room]) => (room.lists as string[]).includes(name))
        .map(([roomId]) => roomId)
        .sort();
    expect(roomsOf('dms')).toEqual([dm]);
    expect(page.rooms[dm].is_dm).toBe(true);
    expect(roomsOf('notDms')).toEqual([encrypted, space, child, invitedTo].sort());
    expect(roomsOf('encrypted')).toEqual([encrypted]);
    expect(roomsOf('invites')).toEqual([invitedTo]);
    expect(roomsOf('spaces')).toEqual([space]);
    expect(roomsOf('noSpaces')).toEqual([dm, encrypted, child, invitedTo].sort());
    expect(roomsOf('inSpace')).toEqual([child]);
    expect(page.lists.spaces.count).toBe(1);
    // An invite carries its stripped state only.
    expect(page.rooms[invitedTo].membership).toBe('invite');
    expect(page.rooms[invitedTo].invite_state).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'm.room.member', state_key: '@cara:sliding.example' })]),
    );
    expect(page.rooms[invitedTo].timeline).toBeUndefined();
  });

  it('refuses what it cannot use, with Matrix errors', async () => {
    expect((await new TestClient(hs.url).post(SLIDING, {})).status).toBe(401);
    const badPos = await ana.post(`${SLIDING}?pos=nonsense`, {});
    expect(badPos.status).toBe(400);
    expect(badPos.body.errcode).toBe('M_UNKNOWN_POS');
    const bad = await ana.post(SLIDING, { lists: { x: { ranges: 'all' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe('M_BAD_JSON');
    const backwards = await ana.post(SLIDING, { lists: { x: { ranges: [[5, 1]], timeline_limit: 1 } } });
    expect(backwards.body.errcode).toBe('M_INVALID_PARAM');
    // Another user's pos is unknown to this one.
    const anas = await slide(ana, {});
    const stolen = await bea.post(`${SLIDING}?pos=${anas.pos}`, {});
    expect(stolen.status).toBe(400);
    expect(stolen.body.errcode).toBe('M_UNKNOWN_POS');
    // A pos is dropped once a later one is used.
    const next = await slide(ana, {}, `?pos=${anas.pos}`);
    await slide(ana, {}, `?pos=${next.pos}`);
    expect((await ana.post(`${SLIDING}?pos=${anas.pos}`, {})).body.errcode).toBe('M_UNKNOWN_POS');
  });
});
