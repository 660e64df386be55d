import { PresenceService } from '@hearth/accounts';
import {
  eventually,
  sharedRoom,
  signUp,
  startFederatedPair,
  startTestHomeserver,
  TestClient,
  type FederatedPair,
  type LooseBody,
  type TestHomeserver,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const status = (user: string) => `${V3}/presence/${encodeURIComponent(user)}/status`;
const presenceOf = (body: LooseBody, user: string) =>
  (body.presence.events as LooseBody[]).filter((e) => e.type === 'm.presence' && e.sender === user).at(-1);

describe('presence off (the default), on one server', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  const ANA = '@ana:off.example';
  const BEA = '@bea:off.example';

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'off.example', registration: 'open' } });
    [ana, bea] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea')]);
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`);
  });
  afterAll(() => hs.destroy());

  it('answers offline for everyone, as Synapse does with presence disabled', async () => {
    expect((await ana.get(status(ANA))).body).toEqual({ presence: 'offline' });
    expect((await ana.get(status(BEA))).body).toEqual({ presence: 'offline' });
    expect((await ana.get(status('@nobody:elsewhere.example'))).body).toEqual({ presence: 'offline' });
  });

  it('accepts a valid PUT and keeps nothing', async () => {
    const put = await ana.put(status(ANA), { presence: 'online', status_msg: 'Busy' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({});
    expect((await bea.get(status(ANA))).body).toEqual({ presence: 'offline' });
  });

  it('still checks who asks and what they send', async () => {
    expect((await bea.put(status(ANA), { presence: 'online' })).body.errcode).toBe('M_FORBIDDEN');
    expect((await ana.put(status(ANA), { presence: 'asleep' })).status).toBe(400);
    expect((await ana.put(status(ANA), {})).status).toBe(400);
    expect((await ana.put(status(ANA), { presence: 'online', status_msg: 5 })).status).toBe(400);
    expect((await ana.get(status('not-a-user'))).status).toBe(400);
    expect((await new TestClient(hs.url).get(status(ANA))).status).toBe(401);
  });

  it('puts nothing in /sync, whatever set_presence says', async () => {
    const first = await bea.get(`${V3}/sync?set_presence=online`);
    expect(first.body.presence).toEqual({ events: [] });
    await ana.get(`${V3}/sync?set_presence=unavailable`);
    const next = await bea.get(`${V3}/sync?since=${first.body.next_batch}&timeout=300`);
    expect(next.body.presence).toEqual({ events: [] });
  });
});

describe('presence across two servers, off on one of them', () => {
  let pair: FederatedPair;
  let roomId: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    // A keeps the default (off); B has presence on, so it would keep whatever A sent.
    pair = await startFederatedPair({ b: { config: { presence_enabled: true } } });
    alice = `@alice:${pair.a.serverName}`;
    bob = `@bob:${pair.b.serverName}`;
    roomId = await sharedRoom(pair);
  });
  afterAll(() => Promise.all([pair.a.destroy(), pair.b.destroy()]));

  it('sends no m.presence from the server where it is off, and drops what arrives there', async () => {
    await pair.alice.put(status(alice), { presence: 'online', status_msg: 'Here' });
    await pair.alice.get(`${V3}/sync?set_presence=online&timeout=0`);
    await pair.bob.put(status(bob), { presence: 'online', status_msg: 'Also here' });
    // A message after the presence changes: once it has crossed, an EDU sent before it would have too.
    const eventId = (
      await pair.alice.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, {
        msgtype: 'm.text',
        body: 'after presence',
      })
    ).body.event_id as string;
    const reply = (
      await pair.bob.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t2`, {
        msgtype: 'm.text',
        body: 'reply',
      })
    ).body.event_id as string;
    await eventually(
      async () =>
        (await pair.bob.get(`${V3}/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`))
          .status === 200
          ? true
          : undefined,
      "alice's message on B",
    );
    await eventually(
      async () =>
        (await pair.alice.get(`${V3}/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(reply)}`))
          .status === 200
          ? true
          : undefined,
      "bob's reply on A",
    );
    expect((await pair.bob.get(status(alice))).body).toEqual({ presence: 'offline' });
    expect(presenceOf((await pair.bob.get(`${V3}/sync`)).body, alice)).toBeUndefined();
    expect((await pair.alice.get(status(bob))).body).toEqual({ presence: 'offline' });
    expect((await pair.alice.get(`${V3}/sync`)).body.presence).toEqual({ events: [] });
  });
});

describe('presence on, across two servers', () => {
  let pair: FederatedPair;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    pair = await startFederatedPair({
      a: { config: { presence_enabled: true } },
      b: { config: { presence_enabled: true } },
    });
    alice = `@alice:${pair.a.serverName}`;
    bob = `@bob:${pair.b.serverName}`;
    await sharedRoom(pair);
  });
  afterAll(() => Promise.all([pair.a.destroy(), pair.b.destroy()]));

  it("sets one's own presence and status message, and reads it back", async () => {
    expect((await pair.alice.put(status(alice), { presence: 'online', status_msg: 'At lunch' })).status).toBe(200);
    const own = (await pair.alice.get(status(alice))).body;
    expect(own).toMatchObject({ presence: 'online', status_msg: 'At lunch', currently_active: true });
    expect(own.last_active_ago).toBeGreaterThanOrEqual(0);
    expect(own.last_active_ago).toBeLessThan(10_000);
  });

  it('carries it to the other server as an m.presence EDU, seen in GET and /sync', async () => {
    const seen = await eventually(async () => {
      const res = await pair.bob.get(status(alice));
      return res.body.presence === 'online' ? res.body : undefined;
    }, 'alice online on B');
    expect(seen).toMatchObject({ presence: 'online', status_msg: 'At lunch' });
    const sync = await pair.bob.get(`${V3}/sync`);
    expect(presenceOf(sync.body, alice)).toMatchObject({
      type: 'm.presence',
      sender: alice,
      content: { presence: 'online', status_msg: 'At lunch', currently_active: true },
    });
  });

  it('wakes a waiting /sync on the other server with the change', async () => {
    const first = await pair.bob.get(`${V3}/sync`);
    const waiting = pair.bob.get(`${V3}/sync?since=${first.body.next_batch}&timeout=20000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pair.alice.put(status(alice), { presence: 'unavailable' });
    let body = (await waiting).body;
    for (let i = 0; i < 10 && presenceOf(body, alice) === undefined; i++)
      body = (await pair.bob.get(`${V3}/sync?since=${body.next_batch}&timeout=5000`)).body;
    expect(presenceOf(body, alice)?.content).toMatchObject({ presence: 'unavailable', status_msg: 'At lunch' });
  });

  it('sets presence from /sync set_presence, and the other server hears it', async () => {
    await pair.bob.get(`${V3}/sync?set_presence=online&timeout=0`);
    expect((await pair.bob.get(status(bob))).body.presence).toBe('online');
    const seen = await eventually(async () => {
      const sync = await pair.alice.get(`${V3}/sync`);
      return presenceOf(sync.body, bob);
    }, "bob online in alice's sync");
    expect(seen?.content).toMatchObject({ presence: 'online', currently_active: true });
  });

  it('hides presence from people who share no room', async () => {
    const carol = await signUp(pair.a.url, 'carol');
    const refused = await carol.get(status(alice));
    expect(refused.status).toBe(403);
    expect(refused.body.errcode).toBe('M_FORBIDDEN');
    expect(presenceOf((await carol.get(`${V3}/sync`)).body, alice)).toBeUndefined();
  });

  it('turns someone who stopped syncing offline, on both servers', async () => {
    // As if a minute had passed without bob syncing: the sweep (every 10 s) run once, at that moment.
    await pair.b.server.app.get(PresenceService).sweep(Date.now() + 60_000);
    expect((await pair.bob.get(status(bob))).body.presence).toBe('offline');
    const seen = await eventually(async () => {
      const res = await pair.alice.get(status(bob));
      return res.body.presence === 'offline' ? res.body : undefined;
    }, 'bob offline on A');
    expect(seen?.presence).toBe('offline');
  });

  it('drops m.presence entries about users of another server', async () => {
    // An EDU from A's name about B's own user: B must not let A speak for bob.
    const before = (await pair.bob.get(status(bob))).body.presence as string;
    const flipped = before === 'online' ? 'unavailable' : 'online';
    await pair.b.server.app
      .get(PresenceService)
      .receiveRemote(pair.a.serverName, [{ user_id: bob, presence: flipped }]);
    expect((await pair.bob.get(status(bob))).body.presence).toBe(before);
  });
});
