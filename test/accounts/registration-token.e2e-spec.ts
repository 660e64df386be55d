import { RegistrationTokensService } from '@hearth/accounts';
import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const REGISTER = '/_matrix/client/v3/register';
const VALIDITY = '/_matrix/client/v1/register/m.login.registration_token/validity';

describe('registration with tokens (the default mode)', () => {
  let hs: TestHomeserver;
  let client: TestClient;
  let tokens: RegistrationTokensService;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'work.example' } });
    client = new TestClient(hs.url);
    tokens = hs.server.app.get(RegistrationTokensService);
  });
  afterAll(() => hs.destroy());

  async function registerWithToken(username: string, token: string) {
    const first = await client.post<{ session: string; flows: unknown }>(REGISTER, { username, password: 'pw' });
    return {
      first,
      second: await client.post(REGISTER, {
        username,
        password: 'pw',
        auth: { type: 'm.login.registration_token', token, session: first.body.session },
      }),
    };
  }

  it('offers only the registration-token stage', async () => {
    const res = await client.post(REGISTER, { username: 'ana', password: 'pw' });
    expect(res.status).toBe(401);
    expect(res.body.flows).toEqual([{ stages: ['m.login.registration_token'] }]);
    expect(res.body.params).toEqual({});
    expect(typeof res.body.session).toBe('string');
  });

  it('refuses an unknown token with a 401 that keeps the session, then accepts a good one', async () => {
    await tokens.create({ token: 'welcome-team', usesAllowed: 2 });
    const first = await client.post<{ session: string }>(REGISTER, { username: 'ana', password: 'pw' });
    const wrong = await client.post(REGISTER, {
      username: 'ana',
      password: 'pw',
      auth: { type: 'm.login.registration_token', token: 'nope', session: first.body.session },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ errcode: 'M_FORBIDDEN', session: first.body.session, completed: [] });
    const right = await client.post(REGISTER, {
      username: 'ana',
      password: 'pw',
      auth: { type: 'm.login.registration_token', token: 'welcome-team', session: first.body.session },
    });
    expect(right.status).toBe(200);
    expect(right.body.user_id).toBe('@ana:work.example');
    expect(await tokens.get('welcome-team')).toMatchObject({ completed: 1, pending: 0 });
  });

  it('stops a token once its uses are spent, and says so on the validity endpoint', async () => {
    expect((await client.get(`${VALIDITY}?token=welcome-team`)).body).toEqual({ valid: true });
    expect((await registerWithToken('bea', 'welcome-team')).second.status).toBe(200);
    expect((await client.get(`${VALIDITY}?token=welcome-team`)).body).toEqual({ valid: false });
    const third = await registerWithToken('carl', 'welcome-team');
    expect(third.second.status).toBe(401);
    expect(third.second.body.errcode).toBe('M_FORBIDDEN');
  });

  it('does not honour expired tokens', async () => {
    await tokens.create({ token: 'short-lived', expiryTime: Date.now() + 300 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await client.get(`${VALIDITY}?token=short-lived`)).body).toEqual({ valid: false });
    expect((await registerWithToken('dora', 'short-lived')).second.status).toBe(401);
  });

  it('needs a token parameter on the validity endpoint', async () => {
    const res = await client.get(VALIDITY);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_MISSING_PARAM');
  });

  it('binds a session to the operation it was opened for', async () => {
    await tokens.create({ token: 'bound' });
    const first = await client.post<{ session: string }>(REGISTER, { username: 'erin', password: 'pw' });
    const elsewhere = await client.post('/_matrix/client/v3/delete_devices', {
      devices: [],
      auth: { session: first.body.session },
    });
    expect(elsewhere.status).toBe(401); // no access token: refused before UIA is even considered
    expect(elsewhere.body.errcode).toBe('M_MISSING_TOKEN');
  });
});
