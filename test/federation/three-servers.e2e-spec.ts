import {
  eventually,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

describe('Federation: three servers; a late joiner backfills the history it may see', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let c: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    const start = () => startFederatingHomeserver(certificate, { registration: 'open' });
    [a, b, c] = await Promise.all([start(), start(), start()]);
    [alice, bob, carol] = await Promise.all([signUp(a.url, 'alice'), signUp(b.url, 'bob'), signUp(c.url, 'carol')]);
  });

  afterAll(async () => {
    await Promise.all([a, b, c].map((server) => server?.destroy()));
  });

  const messages = async (client: TestClient, roomId: string): Promise<LooseBody[]> =>
    (
      (await client.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`)).body
        .chunk as LooseBody[]
    ).reverse();
  const bodies = (events: LooseBody[]) =>
    events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);

  let rooms = 0;
  async function roomWithHistory(visibility: string): Promise<string> {
    const n = ++rooms;
    const roomId = (
      await alice.post('/_matrix/client/v3/createRoom', {
        preset: 'public_chat',
        initial_state: [
          { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: visibility } },
        ],
      })
    ).body.room_id as string;
    expect(
      (
        await bob.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
    for (const body of ['first', 'second'])
      await alice.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${n}-${body}`, {
        msgtype: 'm.text',
        body,
      });
    await eventually(
      async () => (bodies(await messages(bob, roomId)).includes('second') ? true : undefined),
      'alice’s messages on B',
    );
    await bob.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${n}-bob`, {
      msgtype: 'm.text',
      body: 'from bob',
    });
    await eventually(
      async () => (bodies(await messages(alice, roomId)).includes('from bob') ? true : undefined),
      'bob’s message on A',
    );
    return roomId;
  }

  it('edits, reactions and redactions flow between servers like any event', async () => {
    const roomId = await roomWithHistory('shared');
    const original = (await messages(alice, roomId)).find((e) => e.content?.body === 'first')!.event_id as string;
    const room = encodeURIComponent(roomId);
    await bob.put(`/_matrix/client/v3/rooms/${room}/send/m.reaction/r1`, {
      'm.relates_to': { rel_type: 'm.annotation', event_id: original, key: '👍' },
    });
    await alice.put(`/_matrix/client/v3/rooms/${room}/send/m.room.message/e1`, {
      msgtype: 'm.text',
      body: '* first (edited)',
      'm.new_content': { msgtype: 'm.text', body: 'first (edited)' },
      'm.relates_to': { rel_type: 'm.replace', event_id: original },
    });
    const secret = (
      await alice.put(`/_matrix/client/v3/rooms/${room}/send/m.room.message/s1`, { msgtype: 'm.text', body: 'oops' })
    ).body.event_id as string;
    expect(
      (await alice.put(`/_matrix/client/v3/rooms/${room}/redact/${encodeURIComponent(secret)}/x1`, { reason: 'typo' }))
        .status,
    ).toBe(200);

    await eventually(async () => {
      const onB = await bob.get(`/_matrix/client/v3/rooms/${room}/event/${encodeURIComponent(secret)}`);
      return onB.status === 200 && Object.keys(onB.body.content as object).length === 0 ? true : undefined;
    }, 'the redaction on B');
    const relations = await eventually(async () => {
      const res = await alice.get(`/_matrix/client/v1/rooms/${room}/relations/${encodeURIComponent(original)}`);
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      return (res.body.chunk as LooseBody[]).length >= 2 ? (res.body.chunk as LooseBody[]) : undefined;
    }, 'both relations on A');
    expect(relations.map((e) => e.type as string).sort()).toEqual(['m.reaction', 'm.room.message']);
  });

  it('a third server joins later and sees the earlier messages of a room with shared history', async () => {
    const roomId = await roomWithHistory('shared');
    expect(
      (
        await carol.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
    expect(bodies(await messages(carol, roomId))).toEqual(['first', 'second', 'from bob']);
  });

  it('a third server sees nothing from before its join in a room with joined-only history', async () => {
    const roomId = await roomWithHistory('joined');
    expect(
      (
        await carol.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
    expect(bodies(await messages(carol, roomId))).toEqual([]);
  });

  it('the late joiner’s messages reach both other servers, and theirs reach it', async () => {
    const roomId = await roomWithHistory('shared');
    expect(
      (
        await carol.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(b.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
    await carol.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/c1`, {
      msgtype: 'm.text',
      body: 'hello from C',
    });
    await bob.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b2`, {
      msgtype: 'm.text',
      body: 'welcome, C',
    });
    for (const client of [alice, bob])
      await eventually(
        async () => (bodies(await messages(client, roomId)).includes('hello from C') ? true : undefined),
        'carol’s message',
      );
    await eventually(
      async () => (bodies(await messages(carol, roomId)).includes('welcome, C') ? true : undefined),
      'bob’s welcome on C',
    );
    const members = await carol.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`);
    expect(Object.keys(members.body.joined)).toHaveLength(3);
  });
});
