import {
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
const search = (client: TestClient, body: unknown) => client.post(`${V3}/user_directory/search`, body);
const ids = (body: LooseBody) => (body.results as Array<{ user_id: string }>).map((r) => r.user_id);

describe.each([
  ['by default', false],
  ['with user_directory_search_all_local_users', true],
])('user directory %s', (_, allLocalUsers) => {
  const user = (name: string) => `@${name}:dir.example`;
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let cai: TestClient;
  let privateRoom: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        server_name: 'dir.example',
        registration: 'open',
        user_directory_search_all_local_users: allLocalUsers,
      },
    });
    [ana, bea, cai] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea'), signUp(hs.url, 'cai')]);
    await signUp(hs.url, 'dan');
    await bea.put(`${V3}/profile/${user('bea')}/displayname`, { displayname: 'Béatrice Müller' });
    privateRoom = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat', invite: [user('bea')] })).body.room_id;
    expect((await bea.post(`${V3}/join/${encodeURIComponent(privateRoom)}`)).status).toBe(200);
    await cai.put(`${V3}/profile/${user('cai')}/displayname`, { displayname: 'Caio Público' });
    await cai.post(`${V3}/createRoom`, { preset: 'public_chat' });
  });
  afterAll(() => hs.destroy());

  it('finds someone who shares a room, by display name prefix, ignoring case and accents', async () => {
    for (const term of ['beatrice', 'BÉA', 'muller', 'Mül', 'béatrice müller', 'bea']) {
      const res = await search(ana, { search_term: term });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        results: [{ user_id: user('bea'), display_name: 'Béatrice Müller' }],
        limited: false,
      });
    }
  });

  it('matches word prefixes only, not the middle of words', async () => {
    expect(ids((await search(ana, { search_term: 'atrice' })).body)).toEqual([]);
  });

  it('finds people in public rooms, and strangers only when the operator lists all local users', async () => {
    expect(ids((await search(ana, { search_term: 'caio' })).body)).toEqual([user('cai')]);
    expect(ids((await search(ana, { search_term: 'publico' })).body)).toEqual([user('cai')]);
    expect(ids((await search(ana, { search_term: 'dan' })).body)).toEqual(allLocalUsers ? [user('dan')] : []);
  });

  it('ranks the whole name first, then names and handles starting with the term', async () => {
    const [tom, tomas, atom] = await Promise.all(['tom', 'tomas', 'atom'].map((name) => signUp(hs.url, name)));
    await tomas!.put(`${V3}/profile/${user('tomas')}/displayname`, { displayname: 'Tomás Tom' });
    await atom!.put(`${V3}/profile/${user('atom')}/displayname`, { displayname: 'Ana Tom' });
    const room = (await tom!.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    for (const client of [tomas!, atom!]) await client.post(`${V3}/join/${encodeURIComponent(room)}`);
    expect(ids((await search(ana, { search_term: 'tom' })).body)).toEqual([user('tom'), user('tomas'), user('atom')]);
    const limited = await search(ana, { search_term: 'tom', limit: 2 });
    expect(ids(limited.body)).toEqual([user('tom'), user('tomas')]);
    expect(limited.body.limited).toBe(true);
  });

  it('follows profile changes and leaves', async () => {
    await bea.put(`${V3}/profile/${user('bea')}/displayname`, { displayname: 'Bia' });
    expect(ids((await search(ana, { search_term: 'bia' })).body)).toEqual([user('bea')]);
    expect(ids((await search(ana, { search_term: 'beatrice' })).body)).toEqual([]);
    await bea.post(`${V3}/rooms/${encodeURIComponent(privateRoom)}/leave`);
    expect(ids((await search(ana, { search_term: 'bia' })).body)).toEqual(allLocalUsers ? [user('bea')] : []);
  });

  it('answers hostile or odd terms safely', async () => {
    for (const term of ["%' OR 1=1 --", '_', '\\', '   ', '', '(a|b)*', '東京']) {
      const res = await search(ana, { search_term: term });
      expect(res.status).toBe(200);
      expect(res.body.limited).toBe(false);
    }
    const huge = await search(ana, { search_term: 'a'.repeat(500_000) });
    expect(huge.status).toBe(200);
  });

  it('refuses malformed requests with Matrix errors', async () => {
    expect((await search(ana, {})).body.errcode).toBe('M_MISSING_PARAM');
    expect((await search(ana, { search_term: 5 })).body.errcode).toBe('M_BAD_JSON');
    expect((await search(ana, { search_term: 'a', limit: -1 })).status).toBe(400);
    expect((await search(ana, { search_term: 'a', limit: 'ten' })).status).toBe(400);
    expect((await search(ana, [1])).status).toBe(400);
    expect((await search(new TestClient(hs.url), { search_term: 'a' })).status).toBe(401);
  });
});

describe('user directory across servers', () => {
  let pair: FederatedPair;

  beforeAll(async () => {
    pair = await startFederatedPair();
    await pair.bob.put(`${V3}/profile/${encodeURIComponent(`@bob:${pair.b.serverName}`)}/displayname`, {
      displayname: 'Roberto Ñandú',
    });
    await sharedRoom(pair, { preset: 'public_chat' });
  });
  afterAll(() => Promise.all([pair.a.destroy(), pair.b.destroy()]));

  it('finds a remote user by the profile their join event carried, and follows the change they make', async () => {
    const bob = `@bob:${pair.b.serverName}`;
    const found = await search(pair.alice, { search_term: 'nandu' });
    expect(found.body.results).toEqual([{ user_id: bob, display_name: 'Roberto Ñandú' }]);
    await pair.bob.put(`${V3}/profile/${encodeURIComponent(bob)}/displayname`, { displayname: 'Bob Builder' });
    const deadline = Date.now() + 15_000;
    let renamed: string[] = [];
    while (Date.now() < deadline) {
      renamed = ids((await search(pair.alice, { search_term: 'builder' })).body);
      if (renamed.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(renamed).toEqual([bob]);
  });
});
