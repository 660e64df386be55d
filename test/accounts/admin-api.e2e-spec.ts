import { AdminUsersService } from '@hearth/accounts';
import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

describe("the admin API (Synapse's shape)", () => {
  let hs: TestHomeserver;
  let admin: TestClient;
  let anon: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'corp.example', registration: 'closed' } });
    await hs.server.app.get(AdminUsersService).upsert('@admin:corp.example', { password: 'admin-pw', admin: true });
    anon = new TestClient(hs.url);
    admin = new TestClient(hs.url, (await anon.loginPassword('admin', 'admin-pw')).body.access_token);
  });
  afterAll(() => hs.destroy());

  it('serves the server version', async () => {
    expect((await anon.get('/_synapse/admin/v1/server_version')).body).toEqual({
      server_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it('creates a user with PUT (201), then modifies it (200)', async () => {
    const created = await admin.put('/_synapse/admin/v2/users/@ana:corp.example', {
      password: 'ana-pw',
      displayname: 'Ana',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '@ana:corp.example',
      displayname: 'Ana',
      admin: false,
      deactivated: false,
      threepids: [],
    });
    const changed = await admin.put('/_synapse/admin/v2/users/@ana:corp.example', { displayname: 'Ana B.' });
    expect(changed.status).toBe(200);
    expect(changed.body.displayname).toBe('Ana B.');
    expect((await anon.loginPassword('ana', 'ana-pw')).status).toBe(200);
  });

  it('lists users with a total', async () => {
    const res = await admin.get<{ users: Array<{ name: string }>; total: number }>('/_synapse/admin/v2/users?limit=1');
    expect(res.body.total).toBe(2);
    expect(res.body.users).toHaveLength(1);
    expect(res.body).toHaveProperty('next_token', '1');
  });

  it('resets a password and logs the user out', async () => {
    const token = (await anon.loginPassword('ana', 'ana-pw')).body.access_token;
    expect(
      (await admin.post('/_synapse/admin/v1/reset_password/@ana:corp.example', { new_password: 'ana-new' })).status,
    ).toBe(200);
    expect((await anon.get('/_matrix/client/v3/account/whoami', token)).status).toBe(401);
    expect((await anon.loginPassword('ana', 'ana-new')).status).toBe(200);
  });

  it('manages registration tokens', async () => {
    const created = await admin.post<{ token: string }>('/_synapse/admin/v1/registration_tokens/new', {
      uses_allowed: 3,
    });
    expect(created.body).toMatchObject({ uses_allowed: 3, pending: 0, completed: 0, expiry_time: null });
    expect(created.body.token).toMatch(/^[A-Za-z0-9]{16}$/);
    const updated = await admin.put(`/_synapse/admin/v1/registration_tokens/${created.body.token}`, {
      uses_allowed: 5,
    });
    expect(updated.body.uses_allowed).toBe(5);
    // An update that changes nothing answers the token as it is (Synapse does too); none is no JSON.
    const unchanged = await admin.put(`/_synapse/admin/v1/registration_tokens/${created.body.token}`, {});
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toMatchObject({ token: created.body.token, uses_allowed: 5 });
    const notAnObject = await admin.put(`/_synapse/admin/v1/registration_tokens/${created.body.token}`, null);
    expect(notAnObject.status).toBe(400);
    expect((await admin.put('/_synapse/admin/v1/registration_tokens/nosuchtoken', {})).status).toBe(404);
    expect(
      (await admin.get<{ registration_tokens: unknown[] }>('/_synapse/admin/v1/registration_tokens?valid=true')).body
        .registration_tokens,
    ).toHaveLength(1);
    expect((await admin.delete(`/_synapse/admin/v1/registration_tokens/${created.body.token}`)).status).toBe(200);
    expect((await admin.get(`/_synapse/admin/v1/registration_tokens/${created.body.token}`)).body.errcode).toBe(
      'M_NOT_FOUND',
    );
  });

  it('deactivates a user for good', async () => {
    expect((await admin.post('/_synapse/admin/v1/deactivate/@ana:corp.example', { erase: true })).status).toBe(200);
    expect((await admin.get('/_synapse/admin/v2/users/@ana:corp.example')).body).toMatchObject({ deactivated: true });
    expect((await anon.loginPassword('ana', 'ana-new')).status).toBe(403);
    const revive = await admin.put('/_synapse/admin/v2/users/@ana:corp.example', { deactivated: false });
    expect(revive.status).toBe(400);
  });

  it('turns away people who are not admins', async () => {
    await admin.put('/_synapse/admin/v2/users/@bob:corp.example', { password: 'bob-pw' });
    const bob = new TestClient(hs.url, (await anon.loginPassword('bob', 'bob-pw')).body.access_token);
    const res = await bob.get('/_synapse/admin/v2/users');
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    expect((await anon.get('/_synapse/admin/v2/users')).body.errcode).toBe('M_MISSING_TOKEN');
  });
});
