import { PurgeRunner } from '@hearth/retention';
import { signUp, startTestHomeserver, type TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const DAY = 86_400_000;
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/**
 * Simplified sliding sync when a connection's room config changes after a room was sent (a
 * longer timeline, more required state, as Synapse answers), lazily loaded members sent once,
 * and the tag filters.
 */
describe('sliding sync config changes', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let cat: TestClient;
  let txn = 0;
  const ANA = '@ana:slidecfg.example';
  const BEA = '@bea:slidecfg.example';
  const CAT = '@cat:slidecfg.example';
  const slide = async (client: TestClient, body: LooseBody, pos?: string) => {
    const res = await client.post(`${SLIDING}${pos ? `?pos=${pos}&timeout=0` : ''}`, body);
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
  const stateKeys = (room: LooseBody | undefined) =>
    ((room?.required_state ?? []) as LooseBody[]).map((e) => `${e.type as string}|${e.state_key as string}`).sort();
  const createRoom = async (client: TestClient, body: LooseBody) => {
    const res = await client.post(`${V3}/createRoom`, body);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  };
  const join = async (client: TestClient, roomId: string) =>
    expect((await client.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
  const subscription = (roomId: string, config: LooseBody) => ({ room_subscriptions: { [roomId]: config } });

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'slidecfg.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    cat = await signUp(hs.url, 'cat');
  });
  afterAll(() => hs.destroy());

  it('sends the longer timeline when timeline_limit grows, flagged unstable_expanded_timeline, not initial', async () => {
    const room = await createRoom(ana, { preset: 'private_chat' });
    for (const body of ['one', 'two', 'three', 'four']) await say(ana, room, body);

    const first = await slide(ana, subscription(room, { timeline_limit: 1 }));
    expect(bodies(first.rooms[room])).toEqual(['four']);
    expect(first.rooms[room].initial).toBe(true);

    const expanded = await slide(ana, subscription(room, { timeline_limit: 3 }), first.pos);
    expect(bodies(expanded.rooms[room])).toEqual(['two', 'three', 'four']);
    expect(expanded.rooms[room]).toMatchObject({ unstable_expanded_timeline: true, limited: true });
    expect(expanded.rooms[room].initial).toBeUndefined();

    // The client has three events now: the same limit again, or a smaller one, sends nothing.
    const same = await slide(ana, subscription(room, { timeline_limit: 3 }), expanded.pos);
    expect(same.rooms[room]).toBeUndefined();
    const smaller = await slide(ana, subscription(room, { timeline_limit: 2 }), same.pos);
    expect(smaller.rooms[room]).toBeUndefined();
    const back = await slide(ana, subscription(room, { timeline_limit: 3 }), smaller.pos);
    expect(back.rooms[room]).toBeUndefined();

    // A new message afterwards is news as usual: only it, not expanded.
    await say(ana, room, 'five');
    const next = await slide(ana, subscription(room, { timeline_limit: 3 }), back.pos);
    expect(bodies(next.rooms[room])).toEqual(['five']);
    expect(next.rooms[room].unstable_expanded_timeline).toBeUndefined();
  });

  it('sends the newly required state when required_state grows, and nothing for narrowing', async () => {
    const room = await createRoom(ana, { preset: 'private_chat', name: 'Garden', topic: 'Roses' });
    const first = await slide(ana, subscription(room, { timeline_limit: 0, required_state: [['m.room.create', '']] }));
    expect(stateKeys(first.rooms[room])).toEqual(['m.room.create|']);

    const wider = await slide(
      ana,
      subscription(room, {
        timeline_limit: 0,
        required_state: [
          ['m.room.create', ''],
          ['m.room.topic', ''],
          ['m.room.member', '$ME'],
        ],
      }),
      first.pos,
    );
    expect(stateKeys(wider.rooms[room])).toEqual([`m.room.member|${ANA}`, 'm.room.topic|']);
    expect(wider.rooms[room].initial).toBeUndefined();

    const narrower = await slide(
      ana,
      subscription(room, { timeline_limit: 0, required_state: [['m.room.topic', '']] }),
      wider.pos,
    );
    expect(narrower.rooms[room]).toBeUndefined();

    // A wildcard asks for everything not sent yet; what the client has is not sent again.
    const all = await slide(ana, subscription(room, { timeline_limit: 0, required_state: [['*', '*']] }), narrower.pos);
    const sent = stateKeys(all.rooms[room]);
    expect(sent).toEqual(expect.arrayContaining(['m.room.name|', 'm.room.power_levels|', 'm.room.join_rules|']));
    expect(sent).not.toContain('m.room.topic|');
  });

  it('sends a lazily loaded member once, and again only when it changed', async () => {
    const room = await createRoom(ana, { preset: 'public_chat' });
    await join(bea, room);
    await say(bea, room, 'hello');
    const config = {
      timeline_limit: 5,
      required_state: [
        ['m.room.create', ''],
        ['m.room.member', '$LAZY'],
      ],
    };
    const first = await slide(ana, subscription(room, config));
    expect(stateKeys(first.rooms[room])).toEqual(expect.arrayContaining([`m.room.member|${BEA}`]));

    await say(bea, room, 'again');
    const second = await slide(ana, subscription(room, config), first.pos);
    expect(bodies(second.rooms[room])).toEqual(['again']);
    expect(stateKeys(second.rooms[room])).toEqual([]);

    await join(cat, room);
    await say(cat, room, 'hi all');
    await bea.put(`${V3}/rooms/${encodeURIComponent(room)}/state/m.room.member/${encodeURIComponent(BEA)}`, {
      membership: 'join',
      displayname: 'Bea B.',
    });
    await say(bea, room, 'renamed');
    const third = await slide(ana, subscription(room, config), second.pos);
    expect(stateKeys(third.rooms[room])).toEqual([`m.room.member|${BEA}`, `m.room.member|${CAT}`]);
    const beaMember = (third.rooms[room].required_state as LooseBody[]).find((e) => e.state_key === BEA);
    expect(beaMember?.content.displayname).toBe('Bea B.');
  });

  it('filters lists by tags and not_tags, not_tags winning', async () => {
    const favourite = await createRoom(ana, { preset: 'private_chat', name: 'fav' });
    const work = await createRoom(ana, { preset: 'private_chat', name: 'work' });
    const both = await createRoom(ana, { preset: 'private_chat', name: 'both' });
    const tag = async (roomId: string, name: string) =>
      expect(
        (
          await ana.put(
            `${V3}/user/${encodeURIComponent(ANA)}/rooms/${encodeURIComponent(roomId)}/tags/${encodeURIComponent(name)}`,
            { order: 0.5 },
          )
        ).status,
      ).toBe(200);
    await tag(favourite, 'm.favourite');
    await tag(work, 'u.work');
    await tag(both, 'm.favourite');
    await tag(both, 'u.work');
    const list = (filters: LooseBody) => ({ ranges: [[0, 49]], timeline_limit: 0, filters });
    const page = await slide(ana, {
      lists: {
        favourites: list({ tags: ['m.favourite'] }),
        workNotFavourite: list({ tags: ['u.work'], not_tags: ['m.favourite'] }),
        untagged: list({ not_tags: ['m.favourite', 'u.work'] }),
      },
    });
    const inList = (name: string) =>
      Object.entries(page.rooms as Record<string, LooseBody>)
        .filter(([, room]) => ((room.lists ?? []) as string[]).includes(name))
        .map(([roomId]) => roomId)
        .sort();
    expect(inList('favourites')).toEqual([favourite, both].sort());
    expect(inList('workNotFavourite')).toEqual([work]);
    // Ana's rooms of the other tests have no tags.
    expect(inList('untagged')).not.toEqual(expect.arrayContaining([favourite]));
    expect(inList('untagged').filter((roomId) => [favourite, work, both].includes(roomId))).toEqual([]);
    expect(inList('untagged').length).toBeGreaterThan(0);
    expect(page.lists.favourites.count).toBe(2);
    expect(page.lists.workNotFavourite.count).toBe(1);
  });

  it('gives a room entering a list range its account data and own receipts, scoped as Synapse scopes them', async () => {
    const dan = await signUp(hs.url, 'dan');
    const DAN = '@dan:slidecfg.example';
    const older = await createRoom(dan, { preset: 'private_chat', name: 'older' });
    const olderEvent = await say(dan, older, 'read me');
    const receipt = await dan.post(
      `${V3}/rooms/${encodeURIComponent(older)}/receipt/m.read/${encodeURIComponent(olderEvent)}`,
      {},
    );
    expect(receipt.status).toBe(200);
    expect(
      (await dan.put(`${V3}/user/${encodeURIComponent(DAN)}/rooms/${encodeURIComponent(older)}/tags/u.later`, {}))
        .status,
    ).toBe(200);
    const newer = await createRoom(dan, { preset: 'private_chat', name: 'newer' });
    await say(dan, newer, 'newest');
    const body = (range: [number, number], extension: LooseBody) => ({
      lists: { all: { ranges: [range], timeline_limit: 1 } },
      extensions: { account_data: { enabled: true, ...extension }, receipts: { enabled: true, ...extension } },
    });
    const first = await slide(dan, body([0, 0], {}));
    expect(Object.keys(first.rooms)).toEqual([newer]);
    expect(first.extensions.account_data.rooms[older]).toBeUndefined();

    // Scrolled into range later: the client has nothing of it, so it gets what is current.
    const wider = await slide(dan, body([0, 1], {}), first.pos);
    expect(wider.rooms[older].initial).toBe(true);
    expect(wider.extensions.account_data.rooms[older]).toEqual(
      expect.arrayContaining([{ type: 'm.tag', content: { tags: { 'u.later': {} } } }]),
    );
    expect(wider.extensions.receipts.rooms[older].content[olderEvent]['m.read'][DAN]).toBeDefined();

    // `rooms` names a room of a list (no subscription): Synapse counts it among the response's rooms.
    const named = await slide(dan, body([0, 1], { lists: [], rooms: [older] }));
    expect(Object.keys(named.extensions.account_data.rooms)).toEqual([older]);
    expect(Object.keys(named.extensions.receipts.rooms)).toEqual([older]);
  });

  it('sweeps a connection unused for 7 days with the retention job: its pos is then unknown', async () => {
    const first = await slide(ana, { conn_id: 'sweep', lists: { all: { ranges: [[0, 0]], timeline_limit: 1 } } });
    const purges = hs.server.app.get(PurgeRunner);
    expect((await purges.runAll(Date.now() + 6 * DAY))['sliding-sync-connections']).toBe(0);
    const again = await slide(
      ana,
      { conn_id: 'sweep', lists: { all: { ranges: [[0, 0]], timeline_limit: 1 } } },
      first.pos,
    );
    expect((await purges.runAll(Date.now() + 8 * DAY))['sliding-sync-connections']).toBeGreaterThanOrEqual(1);
    const gone = await ana.post(`${SLIDING}?pos=${again.pos as string}&timeout=0`, { conn_id: 'sweep' });
    expect(gone.status).toBe(400);
    expect(gone.body.errcode).toBe('M_UNKNOWN_POS');
    // The SDKs start over without a pos.
    expect(
      (await ana.post(SLIDING, { conn_id: 'sweep', lists: { all: { ranges: [[0, 0]], timeline_limit: 1 } } })).status,
    ).toBe(200);
  });
});
