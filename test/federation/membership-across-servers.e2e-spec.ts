import {
  eventually,
  signUp,
  startFederatedPair,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

describe('Federation: leave, kick, ban and invite rejection across servers', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    ({ a, b, alice, bob } = await startFederatedPair());
    roomId = (await alice.post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id;
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const bobId = () => `@bob:${b.serverName}`;
  const room = () => encodeURIComponent(roomId);
  const join = () => bob.post(`/_matrix/client/v3/join/${room()}?via=${encodeURIComponent(a.serverName)}`, {});
  const membershipOnA = async () =>
    (await alice.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.member/${encodeURIComponent(bobId())}`)).body
      .membership as string | undefined;
  const membershipOnB = async () => (await bob.get('/_matrix/client/v3/sync?timeout=0')).body;

  it('a user of B leaves, and A sees the leave', async () => {
    expect((await join()).status).toBe(200);
    expect((await bob.post(`/_matrix/client/v3/rooms/${room()}/leave`, {})).status).toBe(200);
    await eventually(async () => ((await membershipOnA()) === 'leave' ? true : undefined), 'the leave on A');
  });

  it('a user of B rejoins and is kicked from A; B sees the kick', async () => {
    expect((await join()).status).toBe(200);
    const since = (await bob.get('/_matrix/client/v3/sync?timeout=0')).body.next_batch as string;
    expect(
      (await alice.post(`/_matrix/client/v3/rooms/${room()}/kick`, { user_id: bobId(), reason: 'out' })).status,
    ).toBe(200);
    const left = await eventually(
      async () =>
        (await bob.get(`/_matrix/client/v3/sync?timeout=0&since=${since}`)).body.rooms?.leave?.[roomId] as
          LooseBody | undefined,
      'the kick on B',
    );
    const kick = left.timeline.events.find(
      (e: { type: string; state_key?: string }) => e.type === 'm.room.member' && e.state_key === bobId(),
    );
    expect(kick.content).toMatchObject({ membership: 'leave', reason: 'out' });
    expect((await bob.get('/_matrix/client/v3/joined_rooms')).body.joined_rooms).not.toContain(roomId);
  });

  it('a banned user of B cannot join again', async () => {
    expect((await alice.post(`/_matrix/client/v3/rooms/${room()}/ban`, { user_id: bobId() })).status).toBe(200);
    const res = await join();
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    expect(await membershipOnA()).toBe('ban');
  });

  it('a user of B rejects an invite through the inviting server', async () => {
    const other = (await alice.post('/_matrix/client/v3/createRoom', { preset: 'private_chat' })).body
      .room_id as string;
    expect(
      (await alice.post(`/_matrix/client/v3/rooms/${encodeURIComponent(other)}/invite`, { user_id: bobId() })).status,
    ).toBe(200);
    await eventually(
      async () => ((await membershipOnB()).rooms?.invite?.[other] ? true : undefined),
      'the invite on B',
    );
    expect((await bob.post(`/_matrix/client/v3/rooms/${encodeURIComponent(other)}/leave`, {})).status).toBe(200);
    const onA = await alice.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(other)}/state/m.room.member/${encodeURIComponent(bobId())}`,
    );
    expect(onA.body.membership).toBe('leave');
    const sync = await membershipOnB();
    expect(sync.rooms?.invite?.[other]).toBeUndefined();
  });

  it('a user of B knocks on a room of A, is let in with an invite, and joins', async () => {
    const knockRoom = (
      await alice.post('/_matrix/client/v3/createRoom', {
        preset: 'private_chat',
        name: 'Knock here',
        initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } }],
      })
    ).body.room_id as string;
    const knocked = await bob.post(
      `/_matrix/client/v3/knock/${encodeURIComponent(knockRoom)}?via=${encodeURIComponent(a.serverName)}`,
      { reason: 'let me in' },
    );
    expect(knocked.status).toBe(200);
    expect(knocked.body.room_id).toBe(knockRoom);
    const onA = await alice.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(knockRoom)}/state/m.room.member/${encodeURIComponent(bobId())}`,
    );
    expect(onA.body).toMatchObject({ membership: 'knock', reason: 'let me in' });
    const knockState = (await membershipOnB()).rooms?.knock?.[knockRoom]?.knock_state?.events as
      LooseBody[] | undefined;
    expect(knockState?.find((e) => e.type === 'm.room.name')?.content).toEqual({ name: 'Knock here' });

    // Withdrawing the knock goes through the room's server; then knocking again works.
    expect((await bob.post(`/_matrix/client/v3/rooms/${encodeURIComponent(knockRoom)}/leave`, {})).status).toBe(200);
    const withdrawn = await alice.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(knockRoom)}/state/m.room.member/${encodeURIComponent(bobId())}`,
    );
    expect(withdrawn.body.membership).toBe('leave');
    expect(
      (
        await bob.post(
          `/_matrix/client/v3/knock/${encodeURIComponent(knockRoom)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);

    expect(
      (await alice.post(`/_matrix/client/v3/rooms/${encodeURIComponent(knockRoom)}/invite`, { user_id: bobId() }))
        .status,
    ).toBe(200);
    await eventually(
      async () => ((await membershipOnB()).rooms?.invite?.[knockRoom] ? true : undefined),
      'the invite on B',
    );
    expect((await bob.post(`/_matrix/client/v3/join/${encodeURIComponent(knockRoom)}`, {})).status).toBe(200);
  });

  it('a user of B in an allowed room joins a restricted room of A, vouched for by A', async () => {
    const space = (await alice.post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id as string;
    const restricted = (
      await alice.post('/_matrix/client/v3/createRoom', {
        preset: 'private_chat',
        room_version: '10',
        initial_state: [
          {
            type: 'm.room.join_rules',
            state_key: '',
            content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: space }] },
          },
        ],
      })
    ).body.room_id as string;
    const outsider = await signUp(b.url, 'outsider');
    expect(
      (
        await outsider.post(
          `/_matrix/client/v3/join/${encodeURIComponent(restricted)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(403);

    expect(
      (
        await bob.post(
          `/_matrix/client/v3/join/${encodeURIComponent(space)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
    const joined = await bob.post(
      `/_matrix/client/v3/join/${encodeURIComponent(restricted)}?via=${encodeURIComponent(a.serverName)}`,
      {},
    );
    expect(joined.status).toBe(200);
    const member = await alice.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(restricted)}/state/m.room.member/${encodeURIComponent(bobId())}`,
    );
    expect(member.body).toMatchObject({
      membership: 'join',
      join_authorised_via_users_server: `@alice:${a.serverName}`,
    });
  });
});
