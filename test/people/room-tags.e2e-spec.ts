import { signUp, startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const ANA = '@ana:tags.example';

describe('room tags', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  const tagsPath = (room = roomId, user = ANA) =>
    `${V3}/user/${encodeURIComponent(user)}/rooms/${encodeURIComponent(room)}/tags`;
  const roomAccountData = (body: LooseBody) =>
    (body.rooms.join[roomId]?.account_data?.events ?? []) as Array<{ type: string; content: LooseBody }>;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'tags.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id;
  });
  afterAll(() => hs.destroy());

  it('starts with no tags', async () => {
    const res = await ana.get(tagsPath());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tags: {} });
  });

  it('sets tags as the spec example shows and lists them', async () => {
    expect((await ana.put(`${tagsPath()}/m.favourite`, { order: 0.1 })).status).toBe(200);
    expect((await ana.put(`${tagsPath()}/u.Work`, { order: 0.7 })).status).toBe(200);
    expect((await ana.put(`${tagsPath()}/m.lowpriority`, {})).status).toBe(200);
    expect((await ana.get(tagsPath())).body).toEqual({
      tags: { 'm.favourite': { order: 0.1 }, 'u.Work': { order: 0.7 }, 'm.lowpriority': {} },
    });
  });

  it('carries the tags in /sync as the room m.tag account data, and tells of a change incrementally', async () => {
    const first = await ana.get(`${V3}/sync`);
    expect(roomAccountData(first.body)).toContainEqual({
      type: 'm.tag',
      content: { tags: { 'm.favourite': { order: 0.1 }, 'u.Work': { order: 0.7 }, 'm.lowpriority': {} } },
    });
    const waiting = ana.get(`${V3}/sync?since=${first.body.next_batch}&timeout=10000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await ana.delete(`${tagsPath()}/m.lowpriority`)).status).toBe(200);
    const next = await waiting;
    expect(roomAccountData(next.body)).toContainEqual({
      type: 'm.tag',
      content: { tags: { 'm.favourite': { order: 0.1 }, 'u.Work': { order: 0.7 } } },
    });
  });

  it('keeps every tag when many are set at once', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `u.t${i}`);
    const results = await Promise.all(names.map((name) => ana.put(`${tagsPath()}/${name}`, {})));
    expect(results.map((res) => res.status)).toEqual(names.map(() => 200));
    const tags = (await ana.get(tagsPath())).body.tags as LooseBody;
    for (const name of names) expect(tags[name]).toEqual({});
  });

  it('deleting a tag that is not there succeeds', async () => {
    expect((await ana.delete(`${tagsPath()}/u.never`)).status).toBe(200);
  });

  it('refuses tag names over 255 bytes, counting bytes not characters, and stores nothing', async () => {
    const before = (await ana.get(tagsPath())).body;
    const tooLong = await ana.put(`${tagsPath()}/${encodeURIComponent('é'.repeat(128))}`, {});
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.put(`${tagsPath()}/${'u'.repeat(255)}`, {})).status).toBe(200);
    expect((await ana.delete(`${tagsPath()}/${'u'.repeat(255)}`)).status).toBe(200);
    expect((await ana.get(tagsPath())).body).toEqual(before);
  });

  it('refuses a non-numeric order and a body that is not an object', async () => {
    const badOrder = await ana.put(`${tagsPath()}/u.x`, { order: 'first' });
    expect(badOrder.status).toBe(400);
    expect(badOrder.body.errcode).toBe('M_BAD_JSON');
    const array = await ana.put(`${tagsPath()}/u.x`, [1]);
    expect(array.status).toBe(400);
    expect((await ana.get(tagsPath())).body.tags['u.x']).toBeUndefined();
  });

  it("refuses someone else's tags and a malformed room ID", async () => {
    expect((await bea.get(tagsPath())).body.errcode).toBe('M_FORBIDDEN');
    expect((await bea.put(`${tagsPath()}/u.mine`, {})).status).toBe(403);
    expect((await ana.get(tagsPath('not-a-room'))).status).toBe(400);
    expect((await new TestClient(hs.url).get(tagsPath())).status).toBe(401);
  });
});
