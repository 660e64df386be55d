import { setTimeout as sleep } from 'node:timers/promises';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const lookup = (client: TestClient, roomId: string, query: string) =>
  client.get(`/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/timestamp_to_event?${query}`);

describe('GET /rooms/{roomId}/timestamp_to_event on one server', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let room: string;
  const sent: { event_id: string; origin_server_ts: number }[] = [];

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'ts.example', registration: 'open' } });
    [ana, bea] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea')]);
    room = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id;
    for (const body of ['one', 'two', 'three']) {
      await sleep(5); // distinct milliseconds
      const eventId = (
        await ana.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/${body}`, {
          msgtype: 'm.text',
          body,
        })
      ).body.event_id as string;
      const event = await ana.get(`${V3}/rooms/${encodeURIComponent(room)}/event/${encodeURIComponent(eventId)}`);
      sent.push({ event_id: eventId, origin_server_ts: event.body.origin_server_ts });
    }
  });
  afterAll(() => hs.destroy());

  it('finds the event closest to the time, forwards or backwards', async () => {
    const [one, two, three] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];
    expect((await lookup(ana, room, `ts=${two.origin_server_ts}&dir=f`)).body).toEqual(two);
    expect((await lookup(ana, room, `ts=${two.origin_server_ts}&dir=b`)).body).toEqual(two);
    expect((await lookup(ana, room, `ts=${two.origin_server_ts - 1}&dir=b`)).body).toEqual(one);
    expect((await lookup(ana, room, `ts=${two.origin_server_ts + 1}&dir=f`)).body).toEqual(three);
    expect((await lookup(ana, room, `ts=${Date.now() + 60_000}&dir=b`)).body).toEqual(three);
  });

  it('answers 404 M_NOT_FOUND when nothing lies that side of the time', async () => {
    const later = await lookup(ana, room, `ts=${Date.now() + 60_000}&dir=f`);
    expect([later.status, later.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    const earlier = await lookup(ana, room, 'ts=0&dir=b');
    expect([earlier.status, earlier.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
  });

  it('refuses those not in the room, and unknown rooms, alike; world-readable rooms are open', async () => {
    for (const roomId of [room, '!unknown:ts.example']) {
      const res = await lookup(bea, roomId, `ts=${Date.now()}&dir=b`);
      expect([res.status, res.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    }
    const open = (
      await ana.post(`${V3}/createRoom`, {
        preset: 'public_chat',
        initial_state: [
          { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'world_readable' } },
        ],
      })
    ).body.room_id;
    const res = await lookup(bea, open, `ts=${Date.now() + 1000}&dir=b`);
    expect(res.status).toBe(200);
    expect(res.body.event_id).toMatch(/^\$/);
  });

  it('answers bad parameters with 400, and needs an access token', async () => {
    const cases = [
      ['dir=f', 'M_MISSING_PARAM'],
      ['ts=1', 'M_MISSING_PARAM'],
      ['ts=abc&dir=f', 'M_INVALID_PARAM'],
      ['ts=-5&dir=f', 'M_INVALID_PARAM'],
      ['ts=1&dir=up', 'M_INVALID_PARAM'],
    ];
    for (const [query, errcode] of cases) {
      const res = await lookup(ana, room, query as string);
      expect([query, res.status, res.body.errcode]).toEqual([query, 400, errcode]);
    }
    expect((await lookup(new TestClient(hs.url), room, 'ts=1&dir=f')).body.errcode).toBe('M_MISSING_TOKEN');
  });
});
