import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

describe('password change and deactivation', () => {
  let hs: TestHomeserver;
  let anon: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'org.example', registration: 'open' } });
    anon = new TestClient(hs.url);
  });
  afterAll(() => hs.destroy());

  async function passwordUia(
    client: TestClient,
    path: string,
    body: Record<string, unknown>,
    userId: string,
    password: string,
  ) {
    const challenge = await client.post<{ session: string }>(path, body);
    expect(challenge.status).toBe(401);
    return client.post(path, {
      ...body,
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: userId },
        password,
        session: challenge.body.session,
      },
    });
  }

  it('changes the password and logs out the other devices, not this one', async () => {
    const me = await signUp(hs.url, 'ana', 'old-password');
    const other = (await anon.loginPassword('ana', 'old-password')).body.access_token;
    const res = await passwordUia(
      me,
      '/_matrix/client/v3/account/password',
      { new_password: 'new-password' },
      '@ana:org.example',
      'old-password',
    );
    expect(res.status).toBe(200);
    expect((await me.get('/_matrix/client/v3/account/whoami')).status).toBe(200);
    expect((await anon.get('/_matrix/client/v3/account/whoami', other)).status).toBe(401);
    expect((await anon.loginPassword('ana', 'old-password')).status).toBe(403);
    expect((await anon.loginPassword('ana', 'new-password')).status).toBe(200);
  });

  it('keeps other devices when asked to', async () => {
    const me = await signUp(hs.url, 'bea', 'pw-one');
    const other = (await anon.loginPassword('bea', 'pw-one')).body.access_token;
    const res = await passwordUia(
      me,
      '/_matrix/client/v3/account/password',
      { new_password: 'pw-two', logout_devices: false },
      '@bea:org.example',
      'pw-one',
    );
    expect(res.status).toBe(200);
    expect((await anon.get('/_matrix/client/v3/account/whoami', other)).status).toBe(200);
  });

  it('refuses to re-authenticate as another user', async () => {
    await anon.registerOpen('victim', 'victim-pw');
    const me = await signUp(hs.url, 'mallory', 'mallory-pw');
    const res = await passwordUia(
      me,
      '/_matrix/client/v3/account/password',
      { new_password: 'x' },
      '@victim:org.example',
      'victim-pw',
    );
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });

  it('deactivates: tokens die, login fails, and the handle is never handed out again', async () => {
    const me = await signUp(hs.url, 'carl', 'carl-pw');
    const res = await passwordUia(
      me,
      '/_matrix/client/v3/account/deactivate',
      { erase: true },
      '@carl:org.example',
      'carl-pw',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id_server_unbind_result: 'no-support' });
    expect((await me.get('/_matrix/client/v3/account/whoami')).status).toBe(401);
    expect((await anon.loginPassword('carl', 'carl-pw')).body).toEqual({
      errcode: 'M_FORBIDDEN',
      error: 'Invalid username or password',
    });
    expect((await anon.registerOpen('carl', 'impostor')).body.errcode).toBe('M_USER_IN_USE');
  });

  it('leaves every room at deactivation, declining invites and withdrawing nothing it did not hold', async () => {
    const V3 = '/_matrix/client/v3';
    const owner = await signUp(hs.url, 'dora');
    const leaver = await signUp(hs.url, 'emil', 'emil-pw');
    const EMIL = '@emil:org.example';
    const create = async (body: Record<string, unknown>) =>
      (await owner.post<{ room_id: string }>(`${V3}/createRoom`, body)).body.room_id;
    const joined = await create({ preset: 'public_chat' });
    const invited = await create({ preset: 'private_chat', invite: [EMIL] });
    expect((await leaver.post(`${V3}/join/${encodeURIComponent(joined)}`, {})).status).toBe(200);

    const res = await passwordUia(leaver, `${V3}/account/deactivate`, {}, EMIL, 'emil-pw');
    expect(res.status).toBe(200);
    for (const roomId of [joined, invited]) {
      const member = await owner.get(`${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${EMIL}`);
      expect([roomId, member.body.membership]).toEqual([roomId, 'leave']);
    }
    const members = await owner.get<{ joined: Record<string, unknown> }>(
      `${V3}/rooms/${encodeURIComponent(joined)}/joined_members`,
    );
    expect(Object.keys(members.body.joined)).toEqual(['@dora:org.example']);
  });

  it('reports capabilities honestly', async () => {
    const me = await signUp(hs.url, 'dora');
    const caps = (
      await me.get<{ capabilities: Record<string, { enabled: boolean }> }>('/_matrix/client/v3/capabilities')
    ).body.capabilities;
    expect(caps['m.change_password']).toEqual({ enabled: true });
    expect(caps['m.3pid_changes']).toEqual({ enabled: false });
  });
});
