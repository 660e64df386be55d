import { DataSource } from 'typeorm';
import {
  eventually,
  federationRequest,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';
import { currentStatePositionDrift, roomActivityDrift } from '../support/room-activity';

async function timeline(client: TestClient, roomId: string): Promise<LooseBody[]> {
  const res = await client.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=50`);
  return (res.body.chunk ?? []) as LooseBody[];
}

describe('Federation: a user on B joins a room on A, and messages flow both ways (two real servers over TLS)', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    [a, b] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open', federation: { public_rooms: true } }),
      startFederatingHomeserver(certificate, { registration: 'open' }),
    ]);
    [alice, bob] = await Promise.all([signUp(a.url, 'alice'), signUp(b.url, 'bob')]);
    const created = await alice.post('/_matrix/client/v3/createRoom', {
      preset: 'public_chat',
      room_alias_name: 'lobby',
      name: 'Lobby',
    });
    expect(created.status).toBe(200);
    roomId = created.body.room_id;
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const bobId = () => `@bob:${b.serverName}`;
  const aliceId = () => `@alice:${a.serverName}`;

  it('joins through the alias on the other server (make_join, send_join)', async () => {
    const joined = await bob.post(`/_matrix/client/v3/join/${encodeURIComponent(`#lobby:${a.serverName}`)}`, {});
    expect(joined.status).toBe(200);
    expect(joined.body.room_id).toBe(roomId);

    const members = await alice.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`);
    expect(Object.keys(members.body.joined).sort()).toEqual([aliceId(), bobId()].sort());
    const bobsView = await bob.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`);
    expect(bobsView.body).toEqual({ name: 'Lobby' });
    const bobsMembers = await bob.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`);
    expect(Object.keys(bobsMembers.body.joined).sort()).toEqual([aliceId(), bobId()].sort());
  });

  it('shows the joined room in the joining user’s sync, with its state', async () => {
    const sync = await bob.get('/_matrix/client/v3/sync');
    const room = sync.body.rooms?.join?.[roomId];
    expect(room).toBeDefined();
    const stateTypes = [...(room.state.events as LooseBody[]), ...(room.timeline.events as LooseBody[])].map(
      (e) => e.type as string,
    );
    expect(stateTypes).toEqual(expect.arrayContaining(['m.room.create', 'm.room.name', 'm.room.member']));
  });

  it('delivers messages from A to B and from B to A, in order', async () => {
    for (const body of ['one', 'two', 'three']) {
      expect(
        (
          await alice.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/a-${body}`, {
            msgtype: 'm.text',
            body,
          })
        ).status,
      ).toBe(200);
    }
    const seenByBob = await eventually(async () => {
      const bodies = (await timeline(bob, roomId))
        .filter((e) => e.type === 'm.room.message')
        .map((e) => e.content.body as string);
      return bodies.length >= 3 ? bodies.reverse() : undefined;
    }, 'alice’s messages on B');
    expect(seenByBob).toEqual(['one', 'two', 'three']);

    expect(
      (
        await bob.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b-1`, {
          msgtype: 'm.text',
          body: 'hello from B',
        })
      ).status,
    ).toBe(200);
    const seenByAlice = await eventually(async () => {
      const events = await timeline(alice, roomId);
      return events.find((e) => e.content?.body === 'hello from B');
    }, 'bob’s message on A');
    expect(seenByAlice.sender).toBe(bobId());
  });

  it('keeps each room’s activity (room_activity, for room lists) on both servers as their events show', async () => {
    const topic = await alice.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.topic/`, {
      topic: 'not a bump',
    });
    expect(topic.status).toBe(200);
    await eventually(async () => {
      const res = await bob.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.topic/`);
      return res.status === 200 ? res.body : undefined;
    }, 'alice’s topic on B');
    for (const server of [a, b]) {
      expect(await roomActivityDrift(server.server.app.get(DataSource))).toEqual([]);
      expect(await currentStatePositionDrift(server.server.app.get(DataSource))).toEqual([]);
    }
    const [onB] = await b.server.app
      .get(DataSource)
      .query<Array<{ last_position: string; bump_position: string }>>(
        'SELECT last_position, bump_position FROM room_activity WHERE room_id = $1',
        [roomId],
      );
    // The topic came last and does not bump: the room's bump stays at bob's message.
    expect(Number(onB?.bump_position)).toBeLessThan(Number(onB?.last_position));
  });

  it('carries typing notices and read receipts across as EDUs', async () => {
    expect(
      (
        await alice.put(
          `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(aliceId())}`,
          { typing: true, timeout: 20_000 },
        )
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const sync = await bob.get('/_matrix/client/v3/sync?timeout=0');
      const typing = (sync.body.rooms?.join?.[roomId]?.ephemeral?.events as LooseBody[] | undefined)?.find(
        (e) => e.type === 'm.typing',
      );
      return (typing?.content.user_ids as string[] | undefined)?.includes(aliceId()) ? true : undefined;
    }, 'alice typing, seen on B');

    const newest = (await timeline(bob, roomId))[0]!.event_id as string;
    expect(
      (
        await bob.post(
          `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(newest)}`,
          {},
        )
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const sync = await alice.get('/_matrix/client/v3/sync?timeout=0');
      const receipt = (sync.body.rooms?.join?.[roomId]?.ephemeral?.events as LooseBody[] | undefined)?.find(
        (e) => e.type === 'm.receipt',
      );
      return receipt?.content[newest]?.['m.read']?.[bobId()] ? true : undefined;
    }, 'bob’s read receipt, seen on A');
  });

  it('serves events and state to a server in the room, and nothing to one that is not', async () => {
    const events = await timeline(alice, roomId);
    const anEvent = events[0]!.event_id as string;
    const asB = await federationRequest(
      a.federationUrl,
      'GET',
      `/_matrix/federation/v1/event/${encodeURIComponent(anEvent)}`,
      undefined,
      { origin: b.serverName, key: b.signingKey, destination: a.serverName },
    );
    expect(asB.status).toBe(200);
    expect(asB.body.pdus).toHaveLength(1);
    const stateIds = await federationRequest(
      a.federationUrl,
      'GET',
      `/_matrix/federation/v1/state_ids/${encodeURIComponent(roomId)}?event_id=${encodeURIComponent(anEvent)}`,
      undefined,
      {
        origin: b.serverName,
        key: b.signingKey,
        destination: a.serverName,
      },
    );
    expect(stateIds.status).toBe(200);
    expect(stateIds.body.pdu_ids.length).toBeGreaterThan(3);
  });

  it('invites a user of the other server, who sees the invite in sync and joins the private room', async () => {
    const created = await alice.post('/_matrix/client/v3/createRoom', { preset: 'private_chat', name: 'Private' });
    const privateRoom = created.body.room_id as string;
    const invited = await alice.post(`/_matrix/client/v3/rooms/${encodeURIComponent(privateRoom)}/invite`, {
      user_id: bobId(),
    });
    expect(invited.status).toBe(200);

    const invite = await eventually(async () => {
      const sync = await bob.get('/_matrix/client/v3/sync');
      return sync.body.rooms?.invite?.[privateRoom] as LooseBody | undefined;
    }, 'the invite in bob’s sync');
    const stripped = invite.invite_state.events as LooseBody[];
    expect(stripped.find((e) => e.type === 'm.room.name')?.content).toEqual({ name: 'Private' });
    expect(stripped.find((e) => e.type === 'm.room.member' && e.state_key === bobId())?.content.membership).toBe(
      'invite',
    );

    const joined = await bob.post(`/_matrix/client/v3/rooms/${encodeURIComponent(privateRoom)}/join`, {});
    expect(joined.status).toBe(200);
    const members = await alice.get(`/_matrix/client/v3/rooms/${encodeURIComponent(privateRoom)}/joined_members`);
    expect(Object.keys(members.body.joined).sort()).toEqual([aliceId(), bobId()].sort());
  });

  it('lists its public rooms to other servers when the operator allows it, and not otherwise', async () => {
    const published = (
      await alice.post('/_matrix/client/v3/createRoom', {
        preset: 'public_chat',
        visibility: 'public',
        name: 'Published',
      })
    ).body.room_id as string;
    const asB = await federationRequest(
      a.federationUrl,
      'GET',
      '/_matrix/federation/v1/publicRooms?limit=10',
      undefined,
      { origin: b.serverName, key: b.signingKey, destination: a.serverName },
    );
    expect(asB.status).toBe(200);
    expect((asB.body.chunk as LooseBody[]).map((room) => room.room_id as string)).toContain(published);
    const closed = await federationRequest(b.federationUrl, 'GET', '/_matrix/federation/v1/publicRooms', undefined, {
      origin: a.serverName,
      key: a.signingKey,
      destination: b.serverName,
    });
    expect(closed.status).toBe(403);
  });

  it('refuses to join an invite-only room without an invite', async () => {
    const created = await alice.post('/_matrix/client/v3/createRoom', { preset: 'private_chat' });
    const res = await bob.post(`/_matrix/client/v3/join/${encodeURIComponent(created.body.room_id as string)}`, {});
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});
