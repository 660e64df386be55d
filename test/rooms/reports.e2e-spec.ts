import { AdminUsersService } from '@hearth/accounts';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const ADMIN = '/_synapse/admin/v1/event_reports';

describe('reporting content, and the admins who read the reports', () => {
  let hs: TestHomeserver;
  let admin: TestClient;
  let ana: TestClient;
  let bea: TestClient;
  let eve: TestClient;
  let room: string;
  let message: string;

  const reportEvent = (client: TestClient, roomId: string, eventId: string, body: unknown) =>
    client.post(`${V3}/rooms/${encodeURIComponent(roomId)}/report/${encodeURIComponent(eventId)}`, body);
  const reportRoom = (client: TestClient, roomId: string, body: unknown) =>
    client.post(`${V3}/rooms/${encodeURIComponent(roomId)}/report`, body);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'reports.example', registration: 'open' } });
    await hs.server.app.get(AdminUsersService).upsert('@admin:reports.example', { password: 'admin-pw', admin: true });
    const anon = new TestClient(hs.url);
    admin = new TestClient(hs.url, (await anon.loginPassword('admin', 'admin-pw')).body.access_token);
    [ana, bea, eve] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea'), signUp(hs.url, 'eve')]);
    room = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat', name: 'Town square' })).body.room_id;
    await bea.post(`${V3}/join/${encodeURIComponent(room)}`, {});
    message = (
      await ana.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/t1`, {
        msgtype: 'm.text',
        body: 'rude',
      })
    ).body.event_id;
  });
  afterAll(() => hs.destroy());

  it("stores a member's report of an event, which admins list, read with the event, and delete", async () => {
    // the spec's example body (score, removed in v1.18, still sent by older clients)
    const res = await reportEvent(bea, room, message, { reason: 'this makes me sad', score: -100 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});

    const listed = await admin.get(ADMIN);
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    expect(listed.body.next_token).toBeUndefined();
    const report = listed.body.event_reports[0];
    expect(report).toEqual({
      id: expect.any(Number),
      received_ts: expect.any(Number),
      room_id: room,
      name: 'Town square',
      event_id: message,
      user_id: '@bea:reports.example',
      reason: 'this makes me sad',
      score: -100,
      sender: '@ana:reports.example',
      canonical_alias: null,
    });
    const one = await admin.get(`${ADMIN}/${report.id}`);
    expect(one.body).toMatchObject({ ...report, event_json: { type: 'm.room.message', content: { body: 'rude' } } });

    expect((await admin.delete(`${ADMIN}/${report.id}`)).status).toBe(200);
    expect((await admin.get(`${ADMIN}/${report.id}`)).body.errcode).toBe('M_NOT_FOUND');
    expect((await admin.delete(`${ADMIN}/${report.id}`)).status).toBe(404);
    expect((await admin.get(ADMIN)).body.total).toBe(0);
  });

  it('takes a report of a whole room, from anyone, with a reason that may be blank', async () => {
    expect((await reportRoom(eve, room, { reason: '' })).status).toBe(200);
    const listed = (await admin.get(`${ADMIN}?room_id=${encodeURIComponent(room)}`)).body;
    expect(listed.event_reports[0]).toMatchObject({
      room_id: room,
      event_id: null,
      user_id: '@eve:reports.example',
      reason: '',
    });
  });

  it('answers 404 alike for unknown events, events of another room, and rooms the reporter is not in', async () => {
    const other = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await bea.post(`${V3}/join/${encodeURIComponent(other)}`, {});
    const cases = [
      [bea, room, '$nothing-here'],
      [bea, other, message], // a real event, of another room
      [eve, room, message], // not joined
      [bea, '!unknown:reports.example', message],
    ] as const;
    for (const [client, roomId, eventId] of cases) {
      const res = await reportEvent(client, roomId, eventId, { reason: 'x' });
      expect([roomId, eventId, res.status, res.body.errcode]).toEqual([roomId, eventId, 404, 'M_NOT_FOUND']);
    }
    const unknownRoom = await reportRoom(bea, '!unknown:reports.example', { reason: 'x' });
    expect([unknownRoom.status, unknownRoom.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
  });

  it('refuses bad scores and reasons, storing nothing', async () => {
    const before = (await admin.get(ADMIN)).body.total;
    const bad = [
      { score: 1 },
      { score: -101 },
      { score: -1.5 },
      { score: 'high' },
      { reason: 42 },
      { reason: 'x'.repeat(10_001) },
    ];
    for (const body of bad) {
      const res = await reportEvent(bea, room, message, body);
      expect([body, res.status, res.body.errcode]).toEqual([body, 400, 'M_BAD_JSON']);
    }
    expect((await reportRoom(bea, room, {})).body.errcode).toBe('M_BAD_JSON'); // reason is required for rooms
    expect((await reportRoom(bea, room, { reason: ['x'] })).body.errcode).toBe('M_BAD_JSON');
    expect((await admin.get(ADMIN)).body.total).toBe(before);
    // an empty body and null fields are a report with no reason
    expect((await reportEvent(bea, room, message, { reason: null, score: null })).status).toBe(200);
  });

  it('pages, orders and filters the list as Synapse does, for admins only', async () => {
    for (const reason of ['one', 'two', 'three'])
      expect((await reportEvent(bea, room, message, { reason })).status).toBe(200);
    const total = (await admin.get(ADMIN)).body.total;
    const first = (await admin.get(`${ADMIN}?limit=2`)).body;
    expect(first.event_reports.map((r: { reason: string }) => r.reason)).toEqual(['three', 'two']);
    expect(first.next_token).toBe(2);
    const rest = (await admin.get(`${ADMIN}?limit=100&from=2`)).body;
    expect(rest.event_reports).toHaveLength(total - 2);
    expect((await admin.get(`${ADMIN}?dir=f&limit=1`)).body.event_reports[0].user_id).toBe('@eve:reports.example');
    expect((await admin.get(`${ADMIN}?user_id=eve`)).body.total).toBe(1);
    expect((await admin.get(`${ADMIN}?user_id=${encodeURIComponent('%')}`)).body.total).toBe(0);
    for (const query of ['dir=x', 'limit=-1', 'from=abc']) {
      expect((await admin.get(`${ADMIN}?${query}`)).body.errcode).toBe('M_INVALID_PARAM');
    }
    expect((await admin.get(`${ADMIN}/not-a-number`)).body.errcode).toBe('M_INVALID_PARAM');

    expect((await bea.get(ADMIN)).status).toBe(403);
    expect((await bea.delete(`${ADMIN}/1`)).status).toBe(403);
    expect((await new TestClient(hs.url).get(ADMIN)).body.errcode).toBe('M_MISSING_TOKEN');
    expect(
      (await new TestClient(hs.url).post(`${V3}/rooms/${encodeURIComponent(room)}/report`, { reason: 'x' })).body
        .errcode,
    ).toBe('M_MISSING_TOKEN');
  });
});
