import { signUp, startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const user = (name: string) => `@${name}:search.example`;

describe('POST /search', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let cai: TestClient;
  let roomId: string;
  let otherRoom: string;
  let txn = 0;
  const say = async (client: TestClient, room: string, body: string) =>
    (
      await client.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/t${txn++}`, {
        msgtype: 'm.text',
        body,
      })
    ).body.event_id as string;
  const search = (client: TestClient, criteria: LooseBody, nextBatch?: string) =>
    client.post(`${V3}/search${nextBatch ? `?next_batch=${encodeURIComponent(nextBatch)}` : ''}`, {
      search_categories: { room_events: criteria },
    });
  const bodies = (res: { body: LooseBody }) =>
    (res.body.search_categories.room_events.results as LooseBody[]).map((r) => r.result.content.body as string);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'search.example', registration: 'open' } });
    [ana, bea, cai] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea'), signUp(hs.url, 'cai')]);
    roomId = (
      await ana.post(`${V3}/createRoom`, {
        preset: 'private_chat',
        initial_state: [
          { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } },
        ],
      })
    ).body.room_id;
    await say(ana, roomId, 'secret martians plan before bea came');
    await ana.post(`${V3}/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: user('bea') });
    await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`);
    await say(ana, roomId, 'The martians and men met at noon');
    await say(bea, roomId, 'martians again, and more men');
    await say(ana, roomId, 'Martians martians martians everywhere');
    await say(bea, roomId, 'nothing to see here');
    otherRoom = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await say(ana, otherRoom, 'martians in the other room');
  });
  afterAll(() => hs.destroy());

  it("answers the spec's example request: recent first, grouped by room", async () => {
    const res = await ana.post(`${V3}/search`, {
      search_categories: {
        room_events: {
          keys: ['content.body'],
          search_term: 'martians and men',
          order_by: 'recent',
          groupings: { group_by: [{ key: 'room_id' }] },
        },
      },
    });
    expect(res.status).toBe(200);
    const events = res.body.search_categories.room_events;
    expect(bodies(res)).toEqual(['martians again, and more men', 'The martians and men met at noon']);
    expect(events.count).toBe(2);
    expect(events.highlights).toEqual(['martians', 'and', 'men']);
    expect(events.groups.room_id[roomId]).toEqual({
      order: 1,
      results: events.results.map((r: LooseBody) => r.result.event_id as string),
    });
    expect(events.results[0].result).toMatchObject({ room_id: roomId, sender: user('bea'), type: 'm.room.message' });
    expect(typeof events.results[0].rank).toBe('number');
    expect(events.next_batch).toBeUndefined();
  });

  it('matches word prefixes, case-insensitively, and ranks the best match first', async () => {
    const res = await search(ana, { search_term: 'MARTIAN', filter: { rooms: [roomId] } });
    expect(bodies(res)[0]).toBe('Martians martians martians everywhere');
    expect(bodies(res)).toHaveLength(4);
  });

  it('shows each user only what history visibility let them see', async () => {
    expect(bodies(await search(bea, { search_term: 'martians', filter: { rooms: [roomId] } }))).not.toContain(
      'secret martians plan before bea came',
    );
    expect(bodies(await search(bea, { search_term: 'secret' }))).toEqual([]);
    expect(bodies(await search(cai, { search_term: 'martians' }))).toEqual([]);
    expect((await search(cai, { search_term: 'martians' })).body.search_categories.room_events.count).toBe(0);
  });

  it('pages through every result once with next_batch, in both orders', async () => {
    for (const order_by of ['rank', 'recent']) {
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const res = await search(ana, { search_term: 'martians', order_by, filter: { limit: 2 } }, next);
        expect(res.status).toBe(200);
        seen.push(...bodies(res));
        next = res.body.search_categories.room_events.next_batch;
        pages++;
      } while (next && pages < 10);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    }
  });

  it('gives the context around each result with the senders profiles', async () => {
    const res = await search(ana, {
      search_term: 'noon',
      event_context: { before_limit: 1, after_limit: 1, include_profile: true },
    });
    const [first] = res.body.search_categories.room_events.results as LooseBody[];
    expect(first!.context.events_before.map((e: LooseBody) => e.type as string)).toEqual(['m.room.member']);
    expect(first!.context.events_after.map((e: LooseBody) => e.content.body as string)).toEqual([
      'martians again, and more men',
    ]);
    expect(first!.context.profile_info[user('ana')]).toEqual({ displayname: 'ana' });
    expect(first!.context.profile_info[user('bea')]).toEqual({ displayname: 'bea' });
    expect(typeof first!.context.start).toBe('string');
    expect(typeof first!.context.end).toBe('string');
  });

  it('narrows by room and sender, and gives state on request', async () => {
    expect(bodies(await search(ana, { search_term: 'martians', filter: { not_rooms: [roomId] } }))).toEqual([
      'martians in the other room',
    ]);
    expect(
      bodies(await search(ana, { search_term: 'martians', order_by: 'recent', filter: { senders: [user('bea')] } })),
    ).toEqual(['martians again, and more men']);
    const withState = await search(ana, { search_term: 'other', include_state: true });
    expect(withState.body.search_categories.room_events.state[otherRoom]).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'm.room.create' })]),
    );
  });

  it('no longer finds a redacted message', async () => {
    const eventId = await say(ana, otherRoom, 'regrettable pineapple');
    expect(bodies(await search(ana, { search_term: 'pineapple' }))).toEqual(['regrettable pineapple']);
    await ana.put(`${V3}/rooms/${encodeURIComponent(otherRoom)}/redact/${encodeURIComponent(eventId)}/r1`, {});
    expect(bodies(await search(ana, { search_term: 'pineapple' }))).toEqual([]);
  });

  it('treats full-text operators as plain text and never fails on them', async () => {
    for (const term of ["martians & !men | 'x':*", '!!!', '<->', '"', '\\', ':*', '(', '']) {
      const res = await search(ana, { search_term: term });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.search_categories.room_events.results)).toBe(true);
    }
    expect(bodies(await search(ana, { search_term: '(martians) & men!' })).sort()).toEqual(
      ['The martians and men met at noon', 'martians again, and more men'].sort(),
    );
  });

  it('refuses oversized terms and malformed requests with clear errors', async () => {
    const long = await search(ana, { search_term: 'martians '.repeat(200) });
    expect(long.status).toBe(400);
    expect(long.body.errcode).toBe('M_INVALID_PARAM');
    const megabyte = await search(ana, { search_term: 'x'.repeat(1024 * 1024) });
    expect(megabyte.status).toBe(413);
    expect(megabyte.body.errcode).toBe('M_TOO_LARGE');
    expect((await search(ana, { search_term: 'a', order_by: 'loudest' })).body.errcode).toBe('M_BAD_JSON');
    expect((await search(ana, { search_term: 'a', filter: { limit: 0 } })).status).toBe(400);
    expect((await ana.post(`${V3}/search`, {})).body.errcode).toBe('M_BAD_JSON');
    expect((await search(ana, { search_term: 'martians' }, 'not-a-token')).body.errcode).toBe('M_INVALID_PARAM');
    expect((await new TestClient(hs.url).post(`${V3}/search`, { search_categories: {} })).status).toBe(401);
    expect((await ana.post(`${V3}/search`, { search_categories: {} })).body).toEqual({ search_categories: {} });
  });
});
