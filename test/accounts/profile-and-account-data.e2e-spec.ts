import { TokensService } from '@hearth/accounts';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

describe.each([
  ['shared_rooms', false],
  ['public', true],
])('profiles with profile_visibility %s', (visibility, strangersSee) => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: { server_name: 'p.example', registration: 'open', profile_visibility: visibility },
    });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('starts with the handle as display name and lets the owner change both fields', async () => {
    expect((await ana.get('/_matrix/client/v3/profile/@ana:p.example')).body).toEqual({ displayname: 'ana' });
    expect(
      (await ana.put('/_matrix/client/v3/profile/@ana:p.example/displayname', { displayname: 'Ana Lima' })).status,
    ).toBe(200);
    expect(
      (await ana.put('/_matrix/client/v3/profile/@ana:p.example/avatar_url', { avatar_url: 'mxc://p.example/abc123' }))
        .status,
    ).toBe(200);
    expect((await ana.get('/_matrix/client/v3/profile/@ana:p.example')).body).toEqual({
      displayname: 'Ana Lima',
      avatar_url: 'mxc://p.example/abc123',
    });
    expect((await ana.get('/_matrix/client/v3/profile/@ana:p.example/displayname')).body).toEqual({
      displayname: 'Ana Lima',
    });
  });

  it("refuses changes to someone else's profile and bad avatar URLs", async () => {
    expect(
      (await bea.put('/_matrix/client/v3/profile/@ana:p.example/displayname', { displayname: 'Pwned' })).body.errcode,
    ).toBe('M_FORBIDDEN');
    const bad = await ana.put('/_matrix/client/v3/profile/@ana:p.example/avatar_url', {
      avatar_url: 'https://tracker.example/pixel.png',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe('M_INVALID_PARAM');
  });

  it(
    strangersSee
      ? 'shows profiles to everyone signed in'
      : 'hides profiles from people who share no room, without revealing who exists',
    async () => {
      const existing = await bea.get('/_matrix/client/v3/profile/@ana:p.example');
      const missing = await bea.get('/_matrix/client/v3/profile/@nobody:p.example');
      if (strangersSee) {
        expect(existing.body.displayname).toBe('Ana Lima');
        expect(missing.status).toBe(404);
      } else {
        expect(existing.status).toBe(403);
        expect(missing.status).toBe(403);
        expect(missing.body).toEqual(existing.body);
      }
      expect((await new TestClient(hs.url).get('/_matrix/client/v3/profile/@ana:p.example')).body.errcode).toBe(
        'M_MISSING_TOKEN',
      );
    },
  );
});

describe('account data and token expiry', () => {
  let hs: TestHomeserver;
  let ana: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'd.example', registration: 'open' } });
    const anon = new TestClient(hs.url);
    ana = await signUp(hs.url, 'ana');
    await anon.registerOpen('bea', 'pw');
  });
  afterAll(() => hs.destroy());

  it('stores global and per-room account data for its owner only', async () => {
    const path = '/_matrix/client/v3/user/@ana:d.example/account_data/org.example.settings';
    expect((await ana.get(path)).status).toBe(404);
    expect((await ana.put(path, { theme: 'dark' })).status).toBe(200);
    expect((await ana.get(path)).body).toEqual({ theme: 'dark' });
    expect((await ana.put(path, { theme: 'light' })).status).toBe(200);
    expect((await ana.get(path)).body).toEqual({ theme: 'light' });

    const roomPath = '/_matrix/client/v3/user/@ana:d.example/rooms/!room:d.example/account_data/m.tag';
    expect((await ana.put(roomPath, { tags: { 'u.work': {} } })).status).toBe(200);
    expect((await ana.get(roomPath)).body).toEqual({ tags: { 'u.work': {} } });
    expect(
      (await ana.get('/_matrix/client/v3/user/@ana:d.example/rooms/not-a-room/account_data/m.tag')).body.errcode,
    ).toBe('M_INVALID_PARAM');

    expect(
      (await ana.get('/_matrix/client/v3/user/@bea:d.example/account_data/org.example.settings')).body.errcode,
    ).toBe('M_FORBIDDEN');
  });

  it('refuses server-managed types and non-object content', async () => {
    const fullyRead = await ana.put(
      '/_matrix/client/v3/user/@ana:d.example/rooms/!room:d.example/account_data/m.fully_read',
      { event_id: '$x' },
    );
    expect(fullyRead.status).toBe(405);
    expect(fullyRead.body.errcode).toBe('M_BAD_JSON');
    expect((await ana.put('/_matrix/client/v3/user/@ana:d.example/account_data/x', [1, 2])).body.errcode).toBe(
      'M_BAD_JSON',
    );
  });

  it('answers an expired access token with soft_logout, and a refresh brings the session back', async () => {
    const login = await new TestClient(hs.url).loginPassword('ana', 'pw', { refresh_token: true });
    const tokens = hs.server.app.get(TokensService);
    const later = Date.now() + (login.body.expires_in_ms as number) + 1000;
    await expect(tokens.authenticate(login.body.access_token, later)).rejects.toMatchObject({
      status: 401,
      errcode: 'M_UNKNOWN_TOKEN',
      extra: { soft_logout: true },
    });
    const refreshed = await ana.post('/_matrix/client/v3/refresh', { refresh_token: login.body.refresh_token }, '');
    expect(refreshed.status).toBe(200);
  });

  it('deletes a single device with DELETE after the password stage', async () => {
    const other = await new TestClient(hs.url).loginPassword('ana', 'pw', { device_id: 'OLDPHONE' });
    const challenge = await ana.delete('/_matrix/client/v3/devices/OLDPHONE', {});
    expect(challenge.status).toBe(401);
    const done = await ana.delete('/_matrix/client/v3/devices/OLDPHONE', {
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'ana' },
        password: 'pw',
        session: challenge.body.session,
      },
    });
    expect(done.status).toBe(200);
    expect((await ana.get('/_matrix/client/v3/account/whoami', other.body.access_token)).status).toBe(401);
    expect((await ana.delete('/_matrix/client/v3/devices/OLDPHONE', {})).status).toBe(404);
  });
});
