import {
  eventually,
  sharedRoom,
  signUp,
  startFederatedPair,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

describe('Federation: m.room.server_acl shuts a server out of a room', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    // B is `localhost:<port>` so that an ACL can name it apart from A (`127.0.0.1:<port>`).
    const pair = await startFederatedPair({ b: { options: { host: 'localhost' } } });
    ({ a, b, alice, bob } = pair);
    roomId = await sharedRoom(pair, { preset: 'public_chat' });
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const room = () => encodeURIComponent(roomId);
  const bodiesOn = async (client: TestClient) =>
    ((await client.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=50`)).body.chunk as LooseBody[]).map(
      (e) => e.content?.body as string | undefined,
    );

  it('accepts the server before the ACL', async () => {
    await bob.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/before`, {
      msgtype: 'm.text',
      body: 'before the ACL',
    });
    await eventually(
      async () => ((await bodiesOn(alice)).includes('before the ACL') ? true : undefined),
      'bob’s first message on A',
    );
  });

  it('refuses the denied server’s events and joins once the ACL is in place', async () => {
    expect(
      (
        await alice.put(`/_matrix/client/v3/rooms/${room()}/state/m.room.server_acl/`, {
          allow: ['*'],
          deny: ['localhost'],
          allow_ip_literals: true,
        })
      ).status,
    ).toBe(200);
    // B hears of the ACL like any event; its user's next message must not land on A.
    await eventually(
      async () =>
        (await bob.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.server_acl/`)).status === 200
          ? true
          : undefined,
      'the ACL on B',
    );
    await bob.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/after`, {
      msgtype: 'm.text',
      body: 'after the ACL',
    });
    await alice.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/marker`, {
      msgtype: 'm.text',
      body: 'marker',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await bodiesOn(alice)).not.toContain('after the ACL');

    const dave = await signUp(b.url, 'dave');
    const join = await dave.post(`/_matrix/client/v3/join/${room()}?via=${encodeURIComponent(a.serverName)}`, {});
    expect(join.status).toBe(403);
  });
});
