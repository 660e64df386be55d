import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  eventually,
  makeTestCertificate,
  signUp,
  sqlOn,
  startFederatingHomeserver,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

describe('erasure: deactivation with erase: true, seen from this server and from a second one', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let carol: TestClient;
  let dan: TestClient;
  let bob: TestClient;
  let roomId: string;
  let secretId: string;

  const room = () => encodeURIComponent(roomId);
  const aliceId = () => `@alice:${a.serverName}`;
  const messages = async (client: TestClient): Promise<LooseBody[]> =>
    (
      (await client.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=100`)).body.chunk as LooseBody[]
    ).reverse();
  const sql = <T>(query: string, params: unknown[] = []): Promise<T[]> => sqlOn<T>(a, query, params);

  async function deactivate(erase: boolean) {
    const path = '/_matrix/client/v3/account/deactivate';
    const challenge = await alice.post(path, { erase });
    expect(challenge.status).toBe(401);
    return alice.post(path, {
      erase,
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: aliceId() },
        password: 'pw',
        session: challenge.body.session,
      },
    });
  }

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    [a, b] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open' }),
      startFederatingHomeserver(certificate, { registration: 'open' }),
    ]);
    [alice, carol, dan, bob] = await Promise.all([
      signUp(a.url, 'alice'),
      signUp(a.url, 'carol'),
      signUp(a.url, 'dan'),
      signUp(b.url, 'bob'),
    ]);
    roomId = (await alice.post('/_matrix/client/v3/createRoom', { preset: 'public_chat' })).body.room_id as string;
    expect((await carol.post(`/_matrix/client/v3/join/${room()}`)).status).toBe(200);
    secretId = (
      await alice.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/s1`, {
        msgtype: 'm.text',
        body: 'secret words',
      })
    ).body.event_id as string;
    await carol.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/c1`, { msgtype: 'm.text', body: 'noted' });
    await alice.put(`/_matrix/client/v3/profile/${aliceId()}/displayname`, { displayname: 'Alice Example' });
    await alice.put(`/_matrix/client/v3/user/${aliceId()}/account_data/org.example.notes`, { text: 'private' });
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  it('refuses erasure while an export is running, and leaves the account whole', async () => {
    // Hold the export mid-run: it claims its row, then waits on a table it reads later.
    const holder = new Client({ connectionString: a.config.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE user_filters IN ACCESS EXCLUSIVE MODE');
    try {
      const asked = await alice.post('/_hearth/client/v1/export');
      expect(asked.status).toBe(202);
      await eventually(
        async () =>
          (await alice.get(`/_hearth/client/v1/export/${asked.body.export_id}`)).body.state === 'running'
            ? true
            : undefined,
        'the export to be running',
      );
      const refused = await deactivate(true);
      expect(refused.status).toBe(409);
      expect(refused.body.errcode).toBe('M_UNKNOWN');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await alice.get('/_matrix/client/v3/account/whoami')).status).toBe(200);
    expect((await alice.get(`/_matrix/client/v3/profile/${aliceId()}/displayname`)).body.displayname).toBe(
      'Alice Example',
    );
    expect(await sql('SELECT 1 FROM erased_users')).toEqual([]);
    await eventually(
      async () => ((await alice.get('/_hearth/client/v1/export')).body.state === 'ready' ? true : undefined),
      'the export to finish',
    );
  });

  it('removes the profile, account data, keys and archives, and marks the user erased', async () => {
    const exportsDir = path.join(a.config.dataDir, 'exports');
    expect(fs.readdirSync(exportsDir).length).toBe(1);
    await alice.post('/_matrix/client/v3/keys/upload', {
      one_time_keys: { 'signed_curve25519:AAAAAQ': { key: 'abc', signatures: {} } },
    });
    // carol's message notified alice: which events concerned her, and where, is hers alone.
    expect(await sql('SELECT room_id FROM event_push_summary WHERE user_id = $1', [aliceId()])).toEqual([
      { room_id: roomId },
    ]);
    // A backlog longer than one batch (1,000 a transaction), as an account that never reads has.
    const [notified] = await sql<{ event_id: string }>('SELECT event_id FROM event_push_actions WHERE user_id = $1', [
      aliceId(),
    ]);
    await sql(
      `INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
       SELECT $1, $2, $3, 1000000 + n, '', n % 10 = 0 FROM generate_series(1, 2500) n`,
      [aliceId(), roomId, notified?.event_id],
    );
    await sql(
      'UPDATE event_push_summary SET notifications = notifications + 2500, highlights = highlights + 250 WHERE user_id = $1',
      [aliceId()],
    );
    const erased = await deactivate(true);
    expect(erased.status).toBe(200);

    // alice left the room she shared with carol at deactivation: her profile is not shown (the SQL below shows it is gone)
    expect((await carol.get(`/_matrix/client/v3/profile/${aliceId()}`)).status).toBe(403);
    expect(await sql('SELECT * FROM account_data WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT * FROM one_time_keys WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT * FROM event_push_actions WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT * FROM event_push_summary WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT * FROM devices WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT * FROM user_exports WHERE user_id = $1', [aliceId()])).toEqual([]);
    expect(await sql('SELECT displayname, avatar_url FROM profiles WHERE user_id = $1', [aliceId()])).toEqual([
      { displayname: null, avatar_url: null },
    ]);
    expect(await sql('SELECT user_id FROM erased_users')).toEqual([{ user_id: aliceId() }]);
    expect(fs.readdirSync(exportsDir)).toEqual([]);
  });

  it('still shows the message to carol, who was there, and only its pruned form to dan, who joins later', async () => {
    const carolsView = (await messages(carol)).find((e) => e.event_id === secretId);
    expect(carolsView?.content).toEqual({ msgtype: 'm.text', body: 'secret words' });

    expect((await dan.post(`/_matrix/client/v3/join/${room()}`)).status).toBe(200);
    const dansView = (await messages(dan)).find((e) => e.event_id === secretId);
    expect(dansView).toMatchObject({ sender: aliceId(), type: 'm.room.message', content: {} });
    expect(dansView?.unsigned?.redacted_because).toBeUndefined();
    const single = await dan.get(`/_matrix/client/v3/rooms/${room()}/event/${encodeURIComponent(secretId)}`);
    expect(single.body.content).toEqual({});
  });

  it("serves the message pruned to another server's backfill", async () => {
    const joined = await bob.post(`/_matrix/client/v3/join/${room()}?via=${encodeURIComponent(a.serverName)}`, {});
    expect(joined.status).toBe(200);
    const seen = await eventually(async () => {
      const events = await messages(bob);
      return events.some((e) => e.content?.body === 'noted') ? events : undefined;
    }, 'the earlier history on B');
    expect(JSON.stringify(seen)).not.toContain('secret words');
    const bobsView = seen.find((e) => e.event_id === secretId);
    expect(bobsView).toMatchObject({ sender: aliceId(), type: 'm.room.message', content: {} });
  });
});
