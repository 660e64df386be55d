import { Client } from 'pg';
import { AdminUsersService } from '@hearth/accounts';
import {
  eventually,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  TestClient,
  type FederatingHomeserver,
  type LooseBody,
  type TestCertificate,
} from '@hearth/testing';

/**
 * The durable outbox with real servers: B is cut off (its name points at a relay the test
 * controls), A keeps sending, and everything arrives once B is back, in order, even when A
 * restarted in between.
 */
describe('delivery: a peer down for a while, and a sender restarted, lose nothing', () => {
  let certificate: TestCertificate;
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let admin: TestClient;
  let roomId: string;

  beforeAll(async () => {
    certificate = makeTestCertificate();
    [a, b] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open', delivery: { max_retry_interval_minutes: 1 } }),
      startFederatingHomeserver(certificate, { registration: 'open' }, { netsplit: true }),
    ]);
    [alice, bob] = await Promise.all([signUp(a.url, 'alice'), signUp(b.url, 'bob')]);
    await a.server.app.get(AdminUsersService).upsert(`@admin:${a.serverName}`, { password: 'admin-pw', admin: true });
    admin = new TestClient(
      a.url,
      (await new TestClient(a.url).loginPassword('admin', 'admin-pw')).body.access_token as string,
    );
    roomId = (await alice.post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
    expect(
      (
        await bob.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const room = () => encodeURIComponent(roomId);
  const bodiesOnB = async () =>
    ((await bob.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=100`)).body.chunk as LooseBody[])
      .filter((e) => e.type === 'm.room.message')
      .map((e) => e.content.body as string)
      .reverse();
  const send = (client: TestClient, body: string) =>
    client.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/${body}`, { msgtype: 'm.text', body });

  it('delivers everything sent while the peer was down, in order, once it is back', async () => {
    b.proxy!.split();
    for (let i = 0; i < 20; i++) expect((await send(alice, `down-${i}`)).status).toBe(200);
    // The admin API shows the failing destination and what waits for it.
    const state = await eventually(async () => {
      const res = await admin.get(`/_synapse/admin/v1/federation/destinations/${encodeURIComponent(b.serverName)}`);
      return res.status === 200 && (res.body.failure_ts as number | null) !== null ? res.body : undefined;
    }, 'the failure in the admin API');
    expect(state.pending).toBeGreaterThan(0);
    const listed = (await admin.get('/_synapse/admin/v1/federation/destinations')).body.destinations as LooseBody[];
    expect(listed.map((d) => d.destination as string)).toContain(b.serverName);

    b.proxy!.heal();
    expect(
      (
        await admin.post(
          `/_synapse/admin/v1/federation/destinations/${encodeURIComponent(b.serverName)}/reset_connection`,
          {},
        )
      ).status,
    ).toBe(200);
    const expected = Array.from({ length: 20 }, (_, i) => `down-${i}`);
    await eventually(
      async () => ((await bodiesOnB()).filter((body) => body.startsWith('down-')).length === 20 ? true : undefined),
      'all 20 messages on B',
      20_000,
    );
    expect((await bodiesOnB()).filter((body) => body.startsWith('down-'))).toEqual(expected);
    const healthy = await admin.get(`/_synapse/admin/v1/federation/destinations/${encodeURIComponent(b.serverName)}`);
    expect(healthy.body).toMatchObject({ failure_ts: null, pending: 0 });
  });

  it('keeps what was not yet sent across a restart of the sending server', async () => {
    b.proxy!.split();
    for (let i = 0; i < 10; i++) expect((await send(alice, `restart-${i}`)).status).toBe(200);
    const restarted = await a.restart();
    a = { ...a, ...restarted, server: restarted.server };
    alice = new TestClient(a.url, alice.accessToken);
    admin = new TestClient(a.url, admin.accessToken);
    b.proxy!.heal();
    const expected = Array.from({ length: 10 }, (_, i) => `restart-${i}`);
    // The restarted server sweeps its outbox at start; the destination's backoff decides when.
    await eventually(
      async () => ((await bodiesOnB()).filter((body) => body.startsWith('restart-')).length === 10 ? true : undefined),
      'all 10 messages on B',
      90_000,
    );
    expect((await bodiesOnB()).filter((body) => body.startsWith('restart-'))).toEqual(expected);
  }, 120_000);

  it('catches a peer up after a long outage with the newest event of the room, and the peer fetches what it needs', async () => {
    b.proxy!.split();
    for (let i = 0; i < 60; i++) expect((await send(alice, `long-${i}`)).status).toBe(200);
    await eventually(async () => {
      const res = await admin.get(`/_synapse/admin/v1/federation/destinations/${encodeURIComponent(b.serverName)}`);
      return res.status === 200 && (res.body.failure_ts as number | null) !== null ? true : undefined;
    }, 'the failure in the admin API');
    // Freeze the destination while B is still cut off: once no sender holds it, a retry time an hour
    // away keeps every sender out, so no attempt in flight can fail after B is back and push the
    // retry past the test's patience (the backoff reaches a minute here).
    const database = new Client({ connectionString: a.config.databaseUrl });
    await database.connect();
    const setDestination = (assignments: string, condition = 'true') =>
      database.query(
        `UPDATE federation_destinations SET ${assignments} WHERE destination = $1 AND ${condition} RETURNING destination`,
        [b.serverName, Date.now()],
      );
    await eventually(
      async () =>
        (await setDestination('retry_at = $2::bigint + 3600000', '(leased_until IS NULL OR leased_until < $2::bigint)'))
          .rowCount === 1
          ? true
          : undefined,
      'no sender holding B',
    );
    b.proxy!.heal();
    // As if B had been down for two hours, and its backoff over. No reset_connection: it would
    // forget the outage. The next message wakes the sender, which catches up.
    await setDestination('down_since = $2::bigint - 7200000, retry_at = 0');
    await database.end();
    expect((await send(alice, 'long-60')).status).toBe(200);
    await eventually(
      async () => ((await bodiesOnB()).includes('long-60') ? true : undefined),
      'the newest message on B',
      30_000,
    );
    const arrived = (await bodiesOnB()).filter((body) => body.startsWith('long-'));
    expect(arrived.length).toBeLessThan(61);
    expect((await send(bob, 'after-catch-up')).status).toBe(200);
    await eventually(
      async () => {
        const chunk = (await alice.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=10`)).body
          .chunk as LooseBody[];
        return chunk.some((e) => e.content?.body === 'after-catch-up') ? true : undefined;
      },
      'bob’s message on A',
      20_000,
    );
  }, 90_000);
});
