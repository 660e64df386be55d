import { signUp, startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('/sync', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let txn = 0;
  const ANA = '@ana:sync.example';
  const BEA = '@bea:sync.example';
  const sync = async (client: TestClient, query: Record<string, string> = {}) => {
    const res = await client.get(`${V3}/sync?${new URLSearchParams(query).toString()}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const say = (client: TestClient, room: string, body: string) =>
    client
      .put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body })
      .then((res) => res.body.event_id as string);
  const bodies = (room: LooseBody | undefined) =>
    (room?.timeline.events as LooseBody[])
      .filter((e) => e.type === 'm.room.message')
      .map((e) => e.content.body as string);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'sync.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat', name: 'Plans', invite: [BEA] })).body
      .room_id;
  });
  afterAll(() => hs.destroy());

  it('gives an invitee stripped state, and the room with its state and timeline once joined', async () => {
    const invited = await sync(bea);
    const invite = invited.rooms.invite[roomId];
    expect(invite.invite_state.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'm.room.name', content: { name: 'Plans' } }),
        expect.objectContaining({
          type: 'm.room.member',
          state_key: BEA,
          content: expect.objectContaining({ membership: 'invite' }),
        }),
      ]),
    );
    expect(invited.rooms.join[roomId]).toBeUndefined();

    expect((await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    await say(ana, roomId, 'hello bea');
    const after = await sync(bea, { since: invited.next_batch });
    const joined = after.rooms.join[roomId];
    expect(bodies(joined)).toEqual(['hello bea']);
    // Newly joined: the room whole, the state at the start of the timeline and then the timeline
    // (here the room is young enough that all of it fits in the timeline).
    const seen = [...(joined.state.events as LooseBody[]), ...(joined.timeline.events as LooseBody[])].map(
      (e) => e.type as string,
    );
    expect(seen).toEqual(
      expect.arrayContaining(['m.room.create', 'm.room.power_levels', 'm.room.name', 'm.room.join_rules']),
    );
    expect(joined.timeline.events[0].type).toBe('m.room.create');
    expect(joined.summary).toEqual({ 'm.joined_member_count': 2, 'm.invited_member_count': 0 });
    // The invite and the message both notify (.m.rule.invite_for_me, .m.rule.room_one_to_one).
    expect(joined.unread_notifications).toEqual({ notification_count: 2, highlight_count: 0 });
    expect(after.rooms.invite[roomId]).toBeUndefined();
  });

  it('returns only what happened since the token, with no event twice', async () => {
    const start = await sync(ana);
    await say(bea, roomId, 'one');
    await say(bea, roomId, 'two');
    const first = await sync(ana, { since: start.next_batch });
    expect(bodies(first.rooms.join[roomId])).toEqual(['one', 'two']);
    expect(first.rooms.join[roomId].timeline.limited).toBe(false);
    expect(first.rooms.join[roomId].state.events).toEqual([]);
    const quiet = await sync(ana, { since: first.next_batch });
    expect(quiet.rooms.join).toEqual({});
    expect(quiet.next_batch).toBe(first.next_batch);
  });

  it('wakes a waiting request as soon as an event for the user is committed', async () => {
    const start = await sync(ana);
    const waiting = sync(ana, { since: start.next_batch, timeout: '20000' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await say(bea, roomId, 'are you there?');
    const woken = await waiting;
    expect(bodies(woken.rooms.join[roomId])).toEqual(['are you there?']);
  });

  it('answers a long poll at once for what committed between the last answer and the next request', async () => {
    const answered = await sync(ana, { since: (await sync(ana)).next_batch, timeout: '0' });
    // Sent while the client is between requests: the next one, resuming where the last left off, must not wait.
    await say(bea, roomId, 'while you were away');
    const began = Date.now();
    const next = await sync(ana, { since: answered.next_batch, timeout: '20000' });
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(bodies(next.rooms.join[roomId])).toEqual(['while you were away']);
    // And one more long poll from there waits for the next news rather than answering with nothing.
    const waiting = sync(ana, { since: next.next_batch, timeout: '20000' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await say(bea, roomId, 'and now');
    expect(bodies((await waiting).rooms.join[roomId])).toEqual(['and now']);
  });

  it('does not wake for rooms the user is not in, and times out empty', async () => {
    const other = (await bea.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string;
    const start = await sync(ana);
    const began = Date.now();
    // Long enough for the send to commit on a busy machine before the wait ends.
    const waiting = sync(ana, { since: start.next_batch, timeout: '2500' });
    await say(bea, other, 'not for ana');
    const result = await waiting;
    expect(Date.now() - began).toBeGreaterThanOrEqual(2400);
    expect(result.rooms.join).toEqual({});
    expect(result.next_batch).not.toBe(start.next_batch);
  });

  it('sends typing, receipts, the read marker and account data', async () => {
    const start = await sync(ana);
    const latest = await say(bea, roomId, 'read me');
    expect(
      (await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/typing/${BEA}`, { typing: true, timeout: 30000 }))
        .status,
    ).toBe(200);
    expect((await bea.post(`${V3}/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${latest}`, {})).status).toBe(200);
    expect(
      (await bea.post(`${V3}/rooms/${encodeURIComponent(roomId)}/receipt/m.read.private/${latest}`, {})).status,
    ).toBe(200);
    expect(
      (await ana.post(`${V3}/rooms/${encodeURIComponent(roomId)}/read_markers`, { 'm.fully_read': latest })).status,
    ).toBe(200);
    expect((await ana.put(`${V3}/user/${ANA}/account_data/org.example.settings`, { theme: 'dark' })).status).toBe(200);
    expect(
      (
        await ana.put(`${V3}/user/${ANA}/rooms/${encodeURIComponent(roomId)}/account_data/org.example.tag`, {
          pinned: true,
        })
      ).status,
    ).toBe(200);

    const next = await sync(ana, { since: start.next_batch });
    const room = next.rooms.join[roomId];
    const ephemeral = room.ephemeral.events as LooseBody[];
    expect(ephemeral).toContainEqual({ type: 'm.typing', content: { user_ids: [BEA] } });
    const receipt = ephemeral.find((e) => e.type === 'm.receipt');
    expect(receipt?.content[latest]['m.read'][BEA]).toEqual({ ts: expect.any(Number) });
    // Bea's private receipt is hers alone.
    expect(receipt?.content[latest]['m.read.private']).toBeUndefined();
    expect(room.account_data.events).toEqual(
      expect.arrayContaining([
        { type: 'm.fully_read', content: { event_id: latest } },
        { type: 'org.example.tag', content: { pinned: true } },
      ]),
    );
    expect(next.account_data.events).toContainEqual({ type: 'org.example.settings', content: { theme: 'dark' } });

    const stopped = await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/typing/${BEA}`, { typing: false });
    expect(stopped.status).toBe(200);
    const later = await sync(ana, { since: next.next_batch });
    expect(later.rooms.join[roomId].ephemeral.events).toContainEqual({ type: 'm.typing', content: { user_ids: [] } });
  });

  it('sends push rules on the initial sync and again when they change', async () => {
    const initial = await sync(bea);
    const rules = (initial.account_data.events as LooseBody[]).find((e) => e.type === 'm.push_rules');
    expect(rules?.content.global.override[0].rule_id).toBe('.m.rule.master');
    const quiet = await sync(bea, { since: initial.next_batch });
    expect((quiet.account_data.events as LooseBody[]).some((e) => e.type === 'm.push_rules')).toBe(false);
    expect((await bea.put(`${V3}/pushrules/global/underride/.m.rule.message/enabled`, { enabled: false })).status).toBe(
      200,
    );
    const changed = await sync(bea, { since: quiet.next_batch });
    const underride = (changed.account_data.events as LooseBody[]).find((e) => e.type === 'm.push_rules')?.content
      .global.underride as LooseBody[];
    expect(underride.find((r) => r.rule_id === '.m.rule.message')?.enabled).toBe(false);
  });

  it('applies stored and inline filters: a limited timeline whose prev_batch pages back with /messages', async () => {
    const created = await ana.post(`${V3}/user/${ANA}/filter`, {
      room: { timeline: { limit: 2 }, state: { lazy_load_members: true } },
    });
    expect(created.status).toBe(200);
    const filterId = created.body.filter_id as string;
    expect((await ana.get(`${V3}/user/${ANA}/filter/${filterId}`)).body).toEqual({
      room: { timeline: { limit: 2 }, state: { lazy_load_members: true } },
    });

    const start = await sync(ana);
    for (const word of ['a', 'b', 'c', 'd']) await say(bea, roomId, word);
    const limited = await sync(ana, { since: start.next_batch, filter: filterId });
    const room = limited.rooms.join[roomId];
    expect(bodies(room)).toEqual(['c', 'd']);
    expect(room.timeline.limited).toBe(true);
    const back = await ana.get(
      `${V3}/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=2&from=${room.timeline.prev_batch}`,
    );
    expect((back.body.chunk as LooseBody[]).map((e) => e.content.body as string)).toEqual(['b', 'a']);
    // Lazy loading: only the senders' member events come with the state.
    const members = (room.state.events as LooseBody[])
      .filter((e) => e.type === 'm.room.member')
      .map((e) => e.state_key as string);
    expect(members.sort()).toEqual([ANA, BEA].sort());

    const inline = await sync(ana, {
      since: start.next_batch,
      filter: JSON.stringify({ room: { timeline: { limit: 1, types: ['m.room.message'] } } }),
    });
    expect(bodies(inline.rooms.join[roomId])).toEqual(['d']);
  });

  it('keeps each user to their own filter when both name the same filter ID, however often they sync', async () => {
    const upload = async (client: TestClient, userId: string, limit: number) =>
      (await client.post(`${V3}/user/${userId}/filter`, { room: { timeline: { limit } } })).body.filter_id as string;
    // IDs count per user: upload until the same ID names ana's filter and bea's.
    let anaFilter = await upload(ana, ANA, 1);
    let beaFilter = await upload(bea, BEA, 3);
    while (Number(beaFilter) < Number(anaFilter)) beaFilter = await upload(bea, BEA, 3);
    while (Number(anaFilter) < Number(beaFilter)) anaFilter = await upload(ana, ANA, 1);
    const start = await sync(ana);
    for (const word of ['e', 'f', 'g']) await say(bea, roomId, word);
    for (let round = 0; round < 2; round++) {
      const anaSees = await sync(ana, { since: start.next_batch, filter: anaFilter });
      const beaSees = await sync(bea, { since: start.next_batch, filter: beaFilter });
      expect(bodies(anaSees.rooms.join[roomId])).toEqual(['g']);
      expect(bodies(beaSees.rooms.join[roomId])).toEqual(['e', 'f', 'g']);
    }
    const unknown = await ana.get(`${V3}/sync?filter=${Number(anaFilter) + 1}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe('M_NOT_FOUND');
  });

  it('moves a room the user left to rooms.leave, with the timeline up to the leave', async () => {
    const start = await sync(bea);
    await say(ana, roomId, 'before you go');
    expect((await bea.post(`${V3}/rooms/${encodeURIComponent(roomId)}/leave`, {})).status).toBe(200);
    await say(ana, roomId, 'after you left');
    const next = await sync(bea, { since: start.next_batch });
    expect(next.rooms.join[roomId]).toBeUndefined();
    const left = next.rooms.leave[roomId];
    expect(bodies(left)).toEqual(['before you go']);
    expect((left.timeline.events as LooseBody[]).at(-1)).toMatchObject({
      type: 'm.room.member',
      state_key: BEA,
      content: { membership: 'leave' },
    });
  });

  it('takes a token from before a restart', async () => {
    const before = await sync(ana);
    hs = await hs.restart();
    ana = new TestClient(hs.url, ana.accessToken);
    bea = new TestClient(hs.url, bea.accessToken);
    const roomOfAna = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat', name: 'After restart' })).body
      .room_id as string;
    await say(ana, roomOfAna, 'still here');
    const after = await sync(ana, { since: before.next_batch });
    expect(bodies(after.rooms.join[roomOfAna])).toEqual(['still here']);
  });

  it('refuses bad input with Matrix errors', async () => {
    expect((await ana.get(`${V3}/sync?since=nonsense`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.get(`${V3}/sync?timeout=-5`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.get(`${V3}/sync?full_state=maybe`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.get(`${V3}/sync?set_presence=dancing`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.get(`${V3}/sync?filter=${encodeURIComponent('{not json')}`)).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
    expect(
      (
        await ana.get(
          `${V3}/sync?filter=${encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 'ten' } } }))}`,
        )
      ).body.errcode,
    ).toBe('M_BAD_JSON');
    expect((await ana.get(`${V3}/sync?filter=9999`)).status).toBe(404);
    expect((await ana.post(`${V3}/user/${BEA}/filter`, {})).status).toBe(403);
    expect((await ana.get(`${V3}/user/${BEA}/filter/0`)).status).toBe(403);
    expect((await ana.post(`${V3}/user/${ANA}/filter`, { room: { rooms: 'all' } })).body.errcode).toBe('M_BAD_JSON');
    expect((await new TestClient(hs.url).get(`${V3}/sync`)).body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('treats a display-name or avatar change as news in a room, not a new join; leaving and coming back is one', async () => {
    const cleo = await signUp(hs.url, 'cleo');
    const CLEO = '@cleo:sync.example';
    const room = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat', name: 'Profiles' })).body
      .room_id as string;
    expect((await cleo.post(`${V3}/join/${encodeURIComponent(room)}`, {})).status).toBe(200);
    for (let i = 0; i < 8; i++) await say(ana, room, `m${i}`);
    const filter = JSON.stringify({ room: { timeline: { limit: 5 } } });
    const start = await sync(cleo, { filter });
    expect(bodies(start.rooms.join[room])).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);

    await cleo.put(`${V3}/profile/${encodeURIComponent(CLEO)}/displayname`, { displayname: 'Cleo C.' });
    await cleo.put(`${V3}/profile/${encodeURIComponent(CLEO)}/avatar_url`, { avatar_url: 'mxc://sync.example/cleo' });
    const after = await sync(cleo, { since: start.next_batch, filter });
    const changed = after.rooms.join[room];
    // Only the two member events: no earlier message again, no room state resent (a bot answered each message again).
    expect(changed.timeline.limited).toBe(false);
    expect(
      (changed.timeline.events as LooseBody[]).map((e): unknown[] => [e.type, e.state_key, e.content.membership]),
    ).toEqual([
      ['m.room.member', CLEO, 'join'],
      ['m.room.member', CLEO, 'join'],
    ]);
    expect(changed.state.events).toEqual([]);

    // Left and back between two syncs: a new join, the room whole as for an initial sync.
    expect((await cleo.post(`${V3}/rooms/${encodeURIComponent(room)}/leave`, {})).status).toBe(200);
    expect((await cleo.post(`${V3}/join/${encodeURIComponent(room)}`, {})).status).toBe(200);
    await say(ana, room, 'welcome back');
    const rejoined = (await sync(cleo, { since: after.next_batch, filter })).rooms.join[room];
    expect(rejoined.timeline.limited).toBe(true);
    expect(bodies(rejoined)).toContain('welcome back');
    expect((rejoined.state.events as LooseBody[]).map((e) => e.type as string)).toEqual(
      expect.arrayContaining(['m.room.create', 'm.room.name', 'm.room.join_rules']),
    );

    // A fresh join after a profile change before it is still a new join.
    const dan = await signUp(hs.url, 'dan');
    const danStart = await sync(dan, { filter });
    await dan.put(`${V3}/profile/${encodeURIComponent('@dan:sync.example')}/displayname`, { displayname: 'Dan' });
    expect((await dan.post(`${V3}/join/${encodeURIComponent(room)}`, {})).status).toBe(200);
    await dan.put(`${V3}/profile/${encodeURIComponent('@dan:sync.example')}/displayname`, { displayname: 'Dan D.' });
    const danJoined = (await sync(dan, { since: danStart.next_batch, filter })).rooms.join[room];
    expect(danJoined.timeline.limited).toBe(true);
    expect((danJoined.state.events as LooseBody[]).map((e) => e.type as string)).toEqual(
      expect.arrayContaining(['m.room.create', 'm.room.name']),
    );
  });
});
