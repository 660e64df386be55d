import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const REGISTER = '/_matrix/client/v3/register';

describe('registration in open mode', () => {
  let hs: TestHomeserver;
  let client: TestClient;
  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'open.example', registration: 'open' } });
    client = new TestClient(hs.url);
  });
  afterAll(() => hs.destroy());

  it('asks for the dummy stage, then registers the chosen handle and logs in', async () => {
    const first = await client.post<{ flows: Array<{ stages: string[] }>; session: string; errcode?: string }>(
      REGISTER,
      { username: 'ana', password: 'correct horse' },
    );
    expect(first.status).toBe(401);
    expect(first.body.flows).toEqual([{ stages: ['m.login.dummy'] }]);
    expect(first.body.errcode).toBeUndefined();
    const done = await client.post<{ user_id: string; access_token: string; device_id: string }>(REGISTER, {
      username: 'ana',
      password: 'correct horse',
      initial_device_display_name: 'Laptop',
      auth: { type: 'm.login.dummy', session: first.body.session },
    });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe('@ana:open.example');
    const whoami = await client.get('/_matrix/client/v3/account/whoami', done.body.access_token);
    expect(whoami.body).toEqual({ user_id: '@ana:open.example', device_id: done.body.device_id, is_guest: false });
  });

  it('refuses a taken handle before any authentication, and reports availability', async () => {
    const taken = await client.post(REGISTER, { username: 'ana', password: 'x' });
    expect(taken.status).toBe(400);
    expect(taken.body.errcode).toBe('M_USER_IN_USE');
    expect((await client.get('/_matrix/client/v3/register/available?username=ana')).body.errcode).toBe('M_USER_IN_USE');
    expect((await client.get('/_matrix/client/v3/register/available?username=bea')).body).toEqual({ available: true });
  });

  it.each([
    ['Ana', 'upper case'],
    ['ana!', 'punctuation'],
    ['an a', 'space'],
    ['_bridge', 'leading underscore'],
    ['x'.repeat(250), 'too long for a 255-character user ID'],
  ])('refuses %s (%s) with M_INVALID_USERNAME', async (username) => {
    const res = await client.post(REGISTER, { username, password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_USERNAME');
  });

  it('keeps reserved handles for the operator (M_EXCLUSIVE)', async () => {
    const res = await client.post(REGISTER, { username: 'admin', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_EXCLUSIVE');
  });

  it('refuses a completed session replayed for a second account', async () => {
    const first = await client.post<{ session: string }>(REGISTER, { username: 'carl', password: 'pw' });
    const auth = { type: 'm.login.dummy', session: first.body.session };
    expect((await client.post(REGISTER, { username: 'carl', password: 'pw', auth })).status).toBe(200);
    const replay = await client.post(REGISTER, { username: 'dora', password: 'pw', auth });
    expect(replay.status).toBe(400);
    expect((await client.get('/_matrix/client/v3/register/available?username=dora')).body).toEqual({ available: true });
  });

  it('answers a repeated registration with the same handle and password as a login (a lost reply)', async () => {
    const body = { username: 'fern', password: 'fern-pass', auth: { type: 'm.login.dummy' } };
    const first = await client.post<{ user_id: string; access_token: string; device_id: string }>(REGISTER, body);
    expect(first.status).toBe(200);
    // the retry names a session it was never given, as a client expecting 401 first would
    const retried = await client.post<{ user_id: string; access_token: string; device_id: string }>(REGISTER, {
      ...body,
      auth: { type: 'm.login.dummy', session: '' },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.user_id).toBe('@fern:open.example');
    expect(retried.body.device_id).not.toBe(first.body.device_id);
    const whoami = await client.get('/_matrix/client/v3/account/whoami', retried.body.access_token);
    expect(whoami.body).toMatchObject({ user_id: '@fern:open.example', device_id: retried.body.device_id });
    expect((await client.get('/_matrix/client/v3/account/whoami', first.body.access_token)).status).toBe(200);
  });

  it('keeps a taken handle taken for another password, and after a deactivation', async () => {
    const other = await client.post(REGISTER, { username: 'fern', password: 'guess', auth: { type: 'm.login.dummy' } });
    expect(other.status).toBe(400);
    expect(other.body.errcode).toBe('M_USER_IN_USE');
    const gone = await client.registerOpen('gwen', 'gwen-pass');
    const token = (gone.body as { access_token: string }).access_token;
    const deactivate = await client.post('/_matrix/client/v3/account/deactivate', {}, token);
    const session = (deactivate.body as { session: string }).session;
    const auth = {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'gwen' },
      password: 'gwen-pass',
      session,
    };
    expect((await client.post('/_matrix/client/v3/account/deactivate', { auth }, token)).status).toBe(200);
    const again = await client.post(REGISTER, {
      username: 'gwen',
      password: 'gwen-pass',
      auth: { type: 'm.login.dummy' },
    });
    expect(again.body.errcode).toBe('M_USER_IN_USE');
  });

  it('refuses guests and bodies of the wrong shape', async () => {
    expect((await client.post(`${REGISTER}?kind=guest`, {})).body.errcode).toBe('M_GUEST_ACCESS_FORBIDDEN');
    const bad = await client.post(REGISTER, { username: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe('M_BAD_JSON');
  });

  it('can register without logging in', async () => {
    const res = await client.registerOpen('erin', 'pw', { inhibit_login: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: '@erin:open.example' });
  });
});

describe('registration in closed mode', () => {
  let hs: TestHomeserver;
  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { registration: 'closed' } });
  });
  afterAll(() => hs.destroy());

  it('answers 403 M_FORBIDDEN', async () => {
    const res = await new TestClient(hs.url).post(REGISTER, { username: 'ana', password: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});
