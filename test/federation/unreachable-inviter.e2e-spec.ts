import {
  eventually,
  signUp,
  sqlOn,
  startFederatedPair,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

/**
 * Declining an invite when the inviting server cannot be reached (gone, down, refusing): the
 * invite is declined here alone, as Synapse does, instead of staying forever. A is behind a
 * relay that refuses connections on demand.
 */
describe('Federation: declining an invite whose server cannot be reached', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    ({ a, b, alice, bob } = await startFederatedPair({ a: { options: { netsplit: true } } }));
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  afterEach(() => a.proxy?.heal());

  const V3 = '/_matrix/client/v3';
  const idOn = (server: FederatingHomeserver, name: string) => `@${name}:${server.serverName}`;
  const membershipOn = (server: FederatingHomeserver, roomId: string, userId: string) =>
    sqlOn<{ membership: string; event_id: string }>(
      server,
      `SELECT membership, event_id FROM current_state WHERE room_id = $1 AND type = 'm.room.member' AND state_key = $2`,
      [roomId, userId],
    );

  /** A private room of Alice's on A with `invitee` invited, once B shows the invite to them. */
  async function invitedRoom(invitee: TestClient, userId: string): Promise<string> {
    const roomId = (await alice.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string;
    expect((await alice.post(`${V3}/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: userId })).status).toBe(
      200,
    );
    await eventually(
      async () => ((await invitee.get(`${V3}/sync?timeout=0`)).body.rooms?.invite?.[roomId] ? true : undefined),
      'the invite on B',
    );
    return roomId;
  }

  it('declines the invite on B alone: it leaves the invites, and A, never told, still has it', async () => {
    const roomId = await invitedRoom(bob, idOn(b, 'bob'));
    const [invite] = await membershipOn(b, roomId, idOn(b, 'bob'));
    const since = (await bob.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    await a.proxy!.refuse();

    const declined = await bob.post(`${V3}/rooms/${encodeURIComponent(roomId)}/leave`, { reason: 'not for me' });
    expect(declined.status).toBe(200);

    const sync = (await bob.get(`${V3}/sync?timeout=0&since=${since}`)).body;
    expect(sync.rooms?.invite?.[roomId]).toBeUndefined();
    const timeline = (sync.rooms?.leave?.[roomId]?.timeline?.events ?? []) as LooseBody[];
    expect(timeline.at(-1)).toMatchObject({
      type: 'm.room.member',
      state_key: idOn(b, 'bob'),
      sender: idOn(b, 'bob'),
      content: { membership: 'leave', reason: 'not for me' },
    });
    const [left] = await membershipOn(b, roomId, idOn(b, 'bob'));
    expect(left).toMatchObject({ membership: 'leave' });
    expect(left?.event_id).not.toBe(invite?.event_id);

    a.proxy!.heal();
    const onA = await alice.get(
      `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(idOn(b, 'bob'))}`,
    );
    expect(onA.body.membership).toBe('invite');
  });

  it('deactivating an account declines its invites from servers that cannot be reached', async () => {
    const carol = await signUp(b.url, 'carol');
    const roomId = await invitedRoom(carol, idOn(b, 'carol'));
    await a.proxy!.refuse();

    const path = `${V3}/account/deactivate`;
    const challenge = await carol.post(path, {});
    expect(challenge.status).toBe(401);
    const deactivated = await carol.post(path, {
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: idOn(b, 'carol') },
        password: 'pw',
        session: challenge.body.session,
      },
    });
    expect(deactivated.status).toBe(200);
    expect(await membershipOn(b, roomId, idOn(b, 'carol'))).toEqual([expect.objectContaining({ membership: 'leave' })]);
  });
});
