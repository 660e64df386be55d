import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

describe('login, tokens and devices', () => {
  let hs: TestHomeserver;
  let client: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: { server_name: 'home.example', registration: 'open', refreshable_access_token_lifetime_minutes: 1 },
    });
    client = new TestClient(hs.url);
    expect((await client.registerOpen('ana', 'secret-one')).status).toBe(200);
  });
  afterAll(() => hs.destroy());

  it('lists the password login type', async () => {
    expect((await client.get('/_matrix/client/v3/login')).body).toEqual({ flows: [{ type: 'm.login.password' }] });
  });

  it('logs in with a bare handle, a full user ID and the legacy user field', async () => {
    for (const user of ['ana', '@ana:home.example', 'ANA']) {
      const res = await client.loginPassword(user, 'secret-one');
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe('@ana:home.example');
    }
    const legacy = await client.post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      user: 'ana',
      password: 'secret-one',
    });
    expect(legacy.status).toBe(200);
  });

  it('answers a wrong password and an unknown account identically', async () => {
    const wrong = await client.loginPassword('ana', 'nope');
    const unknown = await client.loginPassword('nobody', 'nope');
    const foreign = await client.loginPassword('@ana:elsewhere.example', 'secret-one');
    for (const res of [wrong, unknown, foreign]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
    }
  });

  it('refuses e-mail and phone identifiers and unknown login types', async () => {
    for (const identifier of [
      { type: 'm.id.thirdparty', medium: 'email', address: 'a@b.c' },
      { type: 'm.id.phone', country: 'GB', phone: '1' },
    ]) {
      const res = await client.post('/_matrix/client/v3/login', {
        type: 'm.login.password',
        identifier,
        password: 'x',
      });
      expect(res.status).toBe(403);
      expect(res.body.errcode).toBe('M_THREEPID_DENIED');
    }
    const unknownType = await client.post('/_matrix/client/v3/login', { type: 'm.login.magic' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errcode).toBe('M_UNKNOWN');
  });

  it('answers missing and unknown tokens as the spec says', async () => {
    const missing = await client.get('/_matrix/client/v3/account/whoami');
    expect(missing.status).toBe(401);
    expect(missing.body.errcode).toBe('M_MISSING_TOKEN');
    const unknown = await client.get('/_matrix/client/v3/account/whoami', 'hat_made_up');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: false });
    const viaQuery = (await client.loginPassword('ana', 'secret-one')).body.access_token;
    expect((await fetch(`${hs.url}/_matrix/client/v3/account/whoami?access_token=${viaQuery}`)).status).toBe(200);
  });

  it('logout ends exactly one session; logout/all ends every one', async () => {
    const a = (await client.loginPassword('ana', 'secret-one')).body.access_token;
    const b = (await client.loginPassword('ana', 'secret-one')).body.access_token;
    expect((await client.post('/_matrix/client/v3/logout', {}, a)).status).toBe(200);
    expect((await client.get('/_matrix/client/v3/account/whoami', a)).status).toBe(401);
    expect((await client.get('/_matrix/client/v3/account/whoami', b)).status).toBe(200);
    const c = (await client.loginPassword('ana', 'secret-one')).body.access_token;
    expect((await client.post('/_matrix/client/v3/logout/all', {}, b)).status).toBe(200);
    expect((await client.get('/_matrix/client/v3/account/whoami', b)).status).toBe(401);
    expect((await client.get('/_matrix/client/v3/account/whoami', c)).status).toBe(401);
  });

  it('reusing a device ID revokes that device’s earlier token', async () => {
    const first = await client.loginPassword('ana', 'secret-one', { device_id: 'PHONE' });
    const second = await client.loginPassword('ana', 'secret-one', { device_id: 'PHONE' });
    expect(second.body.device_id).toBe('PHONE');
    expect((await client.get('/_matrix/client/v3/account/whoami', first.body.access_token)).status).toBe(401);
    expect((await client.get('/_matrix/client/v3/account/whoami', second.body.access_token)).status).toBe(200);
  });

  it('rotates refresh tokens: the old one lasts until the new pair is used', async () => {
    const login = await client.loginPassword('ana', 'secret-one', { refresh_token: true });
    expect(login.body.expires_in_ms).toBe(60_000);
    // Used twice, the first access token is settled and kept in the process's token cache; its
    // retirement below must still reach it.
    for (let i = 0; i < 2; i++)
      expect((await client.get('/_matrix/client/v3/account/whoami', login.body.access_token)).status).toBe(200);
    const firstRefresh = login.body.refresh_token as string;
    const r1 = await client.post<{ access_token: string; refresh_token: string; expires_in_ms: number }>(
      '/_matrix/client/v3/refresh',
      { refresh_token: firstRefresh },
    );
    expect(r1.status).toBe(200);
    // The reply could have been lost: the old refresh token still works, replacing the unused pair.
    const r2 = await client.post<{ access_token: string; refresh_token: string }>('/_matrix/client/v3/refresh', {
      refresh_token: firstRefresh,
    });
    expect(r2.status).toBe(200);
    expect((await client.get('/_matrix/client/v3/account/whoami', r1.body.access_token)).status).toBe(401);
    expect((await client.get('/_matrix/client/v3/account/whoami', r2.body.access_token)).status).toBe(200);
    const replay = await client.post('/_matrix/client/v3/refresh', { refresh_token: firstRefresh });
    expect(replay.status).toBe(401);
    expect(replay.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expect((await client.get('/_matrix/client/v3/account/whoami', login.body.access_token)).status).toBe(401);
    expect((await client.post('/_matrix/client/v3/refresh', { refresh_token: r2.body.refresh_token })).status).toBe(
      200,
    );
  });

  it('manages devices, and deletes them only after the password is given again', async () => {
    const session = await client.loginPassword('ana', 'secret-one', { initial_device_display_name: 'Work laptop' });
    const me = new TestClient(hs.url, session.body.access_token);
    const other = (await client.loginPassword('ana', 'secret-one', { device_id: 'TABLET' })).body;
    const listed = await me.get<{ devices: Array<{ device_id: string; display_name?: string }> }>(
      '/_matrix/client/v3/devices',
    );
    expect(listed.body.devices.find((d) => d.device_id === session.body.device_id)?.display_name).toBe('Work laptop');
    expect((await me.put('/_matrix/client/v3/devices/TABLET', { display_name: 'Tablet' })).status).toBe(200);
    expect((await me.get('/_matrix/client/v3/devices/TABLET')).body).toMatchObject({
      device_id: 'TABLET',
      display_name: 'Tablet',
    });
    expect((await me.get('/_matrix/client/v3/devices/NOPE')).body.errcode).toBe('M_NOT_FOUND');

    const challenge = await me.post<{ session: string; flows: unknown }>('/_matrix/client/v3/delete_devices', {
      devices: ['TABLET'],
    });
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.password'] }]);
    const auth = (password: string) => ({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: '@ana:home.example' },
      password,
      session: challenge.body.session,
    });
    const wrong = await me.post('/_matrix/client/v3/delete_devices', { devices: ['TABLET'], auth: auth('nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errcode).toBe('M_FORBIDDEN');
    expect(
      (await me.post('/_matrix/client/v3/delete_devices', { devices: ['TABLET'], auth: auth('secret-one') })).status,
    ).toBe(200);
    expect((await client.get('/_matrix/client/v3/account/whoami', other.access_token)).status).toBe(401);
    expect((await me.get('/_matrix/client/v3/devices/TABLET')).status).toBe(404);
  });

  it('has no third-party identifiers to list or add', async () => {
    const me = new TestClient(hs.url, (await client.loginPassword('ana', 'secret-one')).body.access_token);
    expect((await me.get('/_matrix/client/v3/account/3pid')).body).toEqual({ threepids: [] });
    const add = await me.post('/_matrix/client/v3/account/3pid/add', { sid: 'x', client_secret: 'y' });
    expect(add.status).toBe(403);
    expect(add.body.errcode).toBe('M_THREEPID_DENIED');
    expect((await client.post('/_matrix/client/v3/register/email/requestToken', { email: 'a@b.c' })).body.errcode).toBe(
      'M_THREEPID_DENIED',
    );
  });
});
