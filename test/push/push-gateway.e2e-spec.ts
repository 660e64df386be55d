import { DataSource } from 'typeorm';
import { signUp, startTestHomeserver, TestClient, TestPushGateway, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const PUSH_CONFIG = { push: { allow_http_gateways: true, allow_private_gateways: true } };

/**
 * Push end to end: a user's pusher points at a spec-shaped gateway the test runs on loopback
 * (allowed by `push.allow_http_gateways` and `push.allow_private_gateways`), and what the push
 * rules say notifies reaches it, through gateway outages and a restart of Hearth.
 */
describe('push to a gateway', () => {
  let hs: TestHomeserver;
  let gateway: TestPushGateway;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let txn = 0;
  const send = async (body: string, extra: Record<string, unknown> = {}) =>
    (await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body, ...extra })).body
      .event_id as string;
  const pusher = (pushkey: string, data: Record<string, unknown> = {}) => ({
    kind: 'http',
    app_id: 'face.mcapp.appy.prod',
    app_display_name: 'Appy McAppface',
    device_display_name: "Bea's Phone",
    profile_tag: 'xyz',
    lang: 'en-US',
    pushkey,
    data: { url: gateway.url, ...data },
  });
  const db = () => hs.server.app.get(DataSource);
  /** A restarted server listens on a new port: the same accounts, reached there. */
  const restart = async () => {
    hs = await hs.restart();
    ana = new TestClient(hs.url, ana.accessToken);
    bea = new TestClient(hs.url, bea.accessToken);
  };
  const pendingRows = async () =>
    Number((await db().query<Array<{ n: string }>>('SELECT count(*) AS n FROM push_outbox'))[0]?.n ?? 0);

  beforeAll(async () => {
    gateway = await TestPushGateway.start();
    hs = await startTestHomeserver({ config: { server_name: 'push.example', registration: 'open', ...PUSH_CONFIG } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat', invite: ['@bea:push.example'] })).body
      .room_id;
    expect((await bea.post(`${V3}/join/${roomId}`, {})).status).toBe(200);
  });
  afterAll(async () => {
    await hs.destroy();
    await gateway.stop();
  });
  afterEach(async () => {
    gateway.failWith = undefined;
    gateway.rejecting.clear();
    // Each test starts with no pushers and nothing pending, and Bea has read everything.
    for (const p of (await bea.get(`${V3}/pushers`)).body.pushers)
      await bea.post(`${V3}/pushers/set`, { app_id: p.app_id, pushkey: p.pushkey, kind: null });
    const latest = await send('mark');
    await bea.post(`${V3}/rooms/${roomId}/receipt/m.read/${latest}`, {});
    gateway.received.length = 0;
  });

  it('sets a pusher and lists it as set', async () => {
    expect((await bea.post(`${V3}/pushers/set`, pusher('Xp/MzCt8/9DcSNE9cuiaoT5Ac55job3TdLSSmtmYl4A='))).body).toEqual(
      {},
    );
    expect((await bea.get(`${V3}/pushers`)).body).toEqual({
      pushers: [
        {
          pushkey: 'Xp/MzCt8/9DcSNE9cuiaoT5Ac55job3TdLSSmtmYl4A=',
          kind: 'http',
          app_id: 'face.mcapp.appy.prod',
          app_display_name: 'Appy McAppface',
          device_display_name: "Bea's Phone",
          profile_tag: 'xyz',
          lang: 'en-US',
          data: { url: gateway.url },
        },
      ],
    });
    // Someone else's pushers are not listed.
    expect((await ana.get(`${V3}/pushers`)).body).toEqual({ pushers: [] });
  });

  it('pushes a message as event_id_only by default, with the unread count as badge', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-default', { custom: 'kept' }));
    const first = await send('Hello from Ana, secret content');
    // The badge is counted when the notification goes out: wait, so that the second counts two.
    await gateway.waitFor(1);
    const second = await send('hey bea', { 'm.mentions': { user_ids: ['@bea:push.example'] } });
    const [one, two] = await gateway.waitFor(2);
    expect(one?.notification).toEqual({
      event_id: first,
      room_id: roomId,
      prio: 'high',
      counts: { unread: 1 },
      devices: [
        {
          app_id: 'face.mcapp.appy.prod',
          pushkey: 'key-default',
          pushkey_ts: expect.any(Number),
          data: { custom: 'kept' },
          tweaks: {},
        },
      ],
    });
    expect(two?.notification).toMatchObject({
      event_id: second,
      counts: { unread: 2 },
      devices: [{ tweaks: { highlight: true } }],
    });
    // Nothing of the message, its sender or the room went to the gateway.
    expect(JSON.stringify(gateway.received)).not.toMatch(/secret content|@ana|sender/);
    // Ana's own messages do not notify Ana.
    expect(gateway.received).toHaveLength(2);
  });

  it('tells the phones the new count when the user reads, so the badge clears', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-badge'));
    const eventId = await send('read me');
    await gateway.waitFor(1);
    await bea.post(`${V3}/rooms/${roomId}/receipt/m.read/${eventId}`, {});
    const [, badge] = await gateway.waitFor(2);
    expect(badge?.notification).toEqual({
      counts: { unread: 0 },
      devices: [expect.objectContaining({ pushkey: 'key-badge', app_id: 'face.mcapp.appy.prod' })],
    });
  });

  it('sends the event itself only to a pusher that asks for it', async () => {
    await ana.put(`${V3}/rooms/${roomId}/state/m.room.name`, { name: 'Mission Control' });
    await ana.put(`${V3}/profile/@ana:push.example/displayname`, { displayname: 'Major Tom' });
    await bea.post(`${V3}/pushers/set`, pusher('key-full', { format: 'full' }));
    const eventId = await send("I'm floating in a most peculiar way.");
    const [received] = await gateway.waitFor(1);
    expect(received?.notification).toMatchObject({
      event_id: eventId,
      room_id: roomId,
      type: 'm.room.message',
      sender: '@ana:push.example',
      sender_display_name: 'Major Tom',
      room_name: 'Mission Control',
      content: { msgtype: 'm.text', body: "I'm floating in a most peculiar way." },
      prio: 'high',
      devices: [{ data: { format: 'full' } }],
    });
  });

  it('retries a gateway that is down and delivers in order once it is back', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-outage'));
    await gateway.stop();
    const sent = [await send('during outage 1'), await send('during outage 2'), await send('during outage 3')];
    // The pusher backs off (a failure is recorded) and nothing is lost meanwhile.
    await waitUntil(async () => {
      const [row] = await db().query<Array<{ failures: number }>>('SELECT failures FROM pushers');
      return (row?.failures ?? 0) > 0;
    }, 'a recorded failure');
    await waitUntil(async () => (await pendingRows()) === 3, 'three pending pushes');
    gateway.failWith = 503;
    await gateway.listen();
    await waitUntil(async () => {
      const [row] = await db().query<Array<{ failures: number }>>('SELECT failures FROM pushers');
      return (row?.failures ?? 0) > 1;
    }, 'a 503 counted as a failure');
    gateway.failWith = undefined;
    const received = await gateway.waitFor(3, 30_000);
    expect(received.map((r) => String(r.notification.event_id))).toEqual(sent);
    expect(received.map((r) => Number(r.notification.counts.unread))).toEqual([3, 3, 3]);
    await waitUntil(async () => (await pendingRows()) === 0, 'the outbox to empty');
  }, 60_000);

  it('removes a pusher whose push key the gateway rejects', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-expired'));
    await bea.post(`${V3}/pushers/set`, { ...pusher('key-valid'), append: true });
    gateway.rejecting.add('key-expired');
    await send('to both keys');
    await gateway.waitFor(2);
    await waitUntil(
      async () => (await bea.get(`${V3}/pushers`)).body.pushers.length === 1,
      'the rejected pusher to be removed',
    );
    expect((await bea.get(`${V3}/pushers`)).body.pushers[0].pushkey).toBe('key-valid');
    await send('after the rejection');
    const received = await gateway.waitFor(3);
    expect(received[2]?.notification.devices[0].pushkey).toBe('key-valid');
  });

  it('lists notifications newest first, only highlights on request, page by page', async () => {
    const plain = await send('plain');
    const mention = await send('ping bea', { 'm.mentions': { user_ids: ['@bea:push.example'] } });
    const all = (await bea.get(`${V3}/notifications`)).body;
    expect(all.notifications.map((n: { event: { event_id: string } }) => n.event.event_id)).toEqual([mention, plain]);
    expect(all.notifications[0]).toMatchObject({
      room_id: roomId,
      read: false,
      ts: expect.any(Number),
      actions: ['notify', { set_tweak: 'highlight', value: true }],
      event: { type: 'm.room.message', sender: '@ana:push.example', content: { body: 'ping bea' } },
    });
    expect(all.notifications[0].event.room_id).toBeUndefined();
    expect(all.next_token).toBeUndefined();

    const highlights = (await bea.get(`${V3}/notifications?only=highlight`)).body.notifications;
    expect(highlights.map((n: { event: { event_id: string } }) => n.event.event_id)).toEqual([mention]);

    const page1 = (await bea.get(`${V3}/notifications?limit=1`)).body;
    expect(page1.notifications[0].event.event_id).toBe(mention);
    const page2 = (await bea.get(`${V3}/notifications?limit=1&from=${page1.next_token}`)).body;
    expect(page2.notifications[0].event.event_id).toBe(plain);
    const page3 = (await bea.get(`${V3}/notifications?limit=1&from=${page2.next_token}`)).body;
    expect(page3).toEqual({ notifications: [] });

    expect((await bea.get(`${V3}/notifications?from=nonsense`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await bea.get(`${V3}/notifications?limit=-1`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await ana.get(`${V3}/notifications`)).body.notifications).toEqual([]);
    expect((await new TestClient(hs.url).get(`${V3}/notifications`)).status).toBe(401);
  });

  it('delivers what was pending when Hearth stopped, after it starts again', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-restart'));
    await gateway.stop();
    const sent = [await send('before restart 1'), await send('before restart 2')];
    await waitUntil(async () => (await pendingRows()) === 2, 'two pending pushes');
    await gateway.listen();
    await restart();
    const received = await gateway.waitFor(2, 30_000);
    expect(received.map((r) => String(r.notification.event_id))).toEqual(sent);
  }, 60_000);

  it('pushes notifications that committed while no process read them, once, at the next start', async () => {
    await bea.post(`${V3}/pushers/set`, pusher('key-unfed'));
    const [feed] = await db().query<Array<{ position: string }>>('SELECT position FROM push_feed');
    await gateway.stop();
    const sent = [await send('unfed 1'), await send('unfed 2')];
    await waitUntil(async () => (await pendingRows()) === 2, 'two pending pushes');
    // As if the process died after the messages committed and before the change bus reached push.
    await db().query('DELETE FROM push_outbox');
    await db().query('UPDATE push_feed SET position = $1', [feed?.position]);
    await gateway.listen();
    await restart();
    const received = await gateway.waitFor(2, 30_000);
    expect(received.map((r) => String(r.notification.event_id))).toEqual(sent);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gateway.received).toHaveLength(2);
  }, 60_000);
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
