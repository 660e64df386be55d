import { DataSource } from 'typeorm';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/**
 * `POST /pushers/set` with what it must refuse, on a server with the default push settings:
 * clear Matrix errors, and nothing stored. Then the spec's `append` and `kind: null`.
 */
describe('pusher input', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  // The spec's example request.
  const example = {
    lang: 'en',
    kind: 'http',
    app_display_name: 'Mat Rix',
    device_display_name: 'iPhone 9',
    profile_tag: 'xxyyzz',
    app_id: 'com.example.app.ios',
    pushkey:
      'APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ',
    data: { url: 'https://push-gateway.location.here/_matrix/push/v1/notify', format: 'event_id_only' },
    append: false,
  };
  const withUrl = (url: string) => ({ ...example, data: { url } });
  const pushers = async (client: TestClient) => (await client.get(`${V3}/pushers`)).body.pushers as unknown[];

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'pushers.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it.each([
    ['plain http', withUrl('http://push-gateway.location.here/_matrix/push/v1/notify'), 'https'],
    ['another path', withUrl('https://push-gateway.location.here/notify'), '/_matrix/push/v1/notify'],
    ['loopback', withUrl('https://127.0.0.1/_matrix/push/v1/notify'), 'private'],
    ['localhost', withUrl('https://localhost:8443/_matrix/push/v1/notify'), 'private'],
    ['a private network', withUrl('https://10.0.0.8/_matrix/push/v1/notify'), 'private'],
    ['link-local (cloud metadata)', withUrl('https://169.254.169.254/_matrix/push/v1/notify'), 'private'],
    ['IPv6 loopback', withUrl('https://[::1]/_matrix/push/v1/notify'), 'private'],
    ['IPv6 unique-local', withUrl('https://[fd12::1]/_matrix/push/v1/notify'), 'private'],
    ['not a URL', withUrl('::not a url::'), 'not a URL'],
    ['an unknown kind', { ...example, kind: 'email' }, 'kind'],
    ['a kind that is not a string', { ...example, kind: 7 }, 'kind'],
    ['oversized data', { ...example, data: { ...example.data, blob: 'x'.repeat(5000) } }, 'larger than 4096 bytes'],
    ['a pushkey over 512 bytes', { ...example, pushkey: 'k'.repeat(513) }, 'pushkey'],
    ['an app_id over 64 characters', { ...example, app_id: 'a'.repeat(65) }, 'app_id'],
    ['data that is not an object', { ...example, data: 'https://x' }, 'data'],
    ['append that is not a boolean', { ...example, append: 'yes' }, 'append'],
  ])('refuses %s (M_INVALID_PARAM), storing nothing', async (_what, body, message) => {
    const res = await ana.post(`${V3}/pushers/set`, body);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_PARAM');
    expect(res.body.error).toContain(message);
    expect(await pushers(ana)).toEqual([]);
  });

  it('names the missing parameters (M_MISSING_PARAM), as the spec example', async () => {
    const { lang: _lang, data: _data, ...partial } = example;
    const res = await ana.post(`${V3}/pushers/set`, partial);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errcode: 'M_MISSING_PARAM', error: 'Missing parameters: lang, data' });
    const noUrl = await ana.post(`${V3}/pushers/set`, { ...example, data: { format: 'event_id_only' } });
    expect(noUrl.body.errcode).toBe('M_MISSING_PARAM');
    expect((await ana.post(`${V3}/pushers/set`, { kind: 'http' })).body.errcode).toBe('M_MISSING_PARAM');
    expect(await pushers(ana)).toEqual([]);
  });

  it('refuses a body that is not JSON, and requests without a token', async () => {
    const res = await fetch(`${hs.url}${V3}/pushers/set`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.accessToken}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errcode: string }).errcode).toBe('M_NOT_JSON');
    expect((await ana.post(`${V3}/pushers/set`, example, 'nonsense')).status).toBe(401);
    expect((await fetch(`${hs.url}${V3}/pushers`)).status).toBe(401);
  });

  it('gives an app and push key to one user unless append is set, and deletes with kind null', async () => {
    expect((await ana.post(`${V3}/pushers/set`, example)).body).toEqual({});
    // Setting it again updates, not duplicates.
    await ana.post(`${V3}/pushers/set`, { ...example, device_display_name: 'iPhone 10' });
    expect(await pushers(ana)).toEqual([expect.objectContaining({ device_display_name: 'iPhone 10' })]);

    // The same phone signs in as Bea: without append, Ana's pusher for it goes.
    await bea.post(`${V3}/pushers/set`, example);
    expect(await pushers(ana)).toEqual([]);
    expect(await pushers(bea)).toHaveLength(1);

    // With append, both keep it.
    await ana.post(`${V3}/pushers/set`, { ...example, append: true });
    expect(await pushers(ana)).toHaveLength(1);
    expect(await pushers(bea)).toHaveLength(1);

    // kind null deletes only the caller's.
    expect((await bea.post(`${V3}/pushers/set`, { ...example, kind: null })).body).toEqual({});
    expect(await pushers(bea)).toEqual([]);
    expect(await pushers(ana)).toHaveLength(1);
    // Deleting what is not there is no error (clients remove pushers blindly at logout).
    expect((await bea.post(`${V3}/pushers/set`, { app_id: example.app_id, pushkey: 'gone', kind: null })).status).toBe(
      200,
    );
  });

  it("removes a device's pushers when the device logs out, and only that device's", async () => {
    const carl = await signUp(hs.url, 'carl');
    const login = await new TestClient(hs.url).loginPassword('carl', 'pw');
    const phone = new TestClient(hs.url, login.body.access_token as string);
    await carl.post(`${V3}/pushers/set`, { ...example, pushkey: 'laptop-key' });
    await phone.post(`${V3}/pushers/set`, { ...example, pushkey: 'phone-key' });
    expect(await pushers(carl)).toHaveLength(2);

    expect((await phone.post(`${V3}/logout`, {})).status).toBe(200);
    await waitFor(async () => (await pushers(carl)).length === 1);
    expect(await pushers(carl)).toEqual([expect.objectContaining({ pushkey: 'laptop-key' })]);

    // Deactivation logs out every device, and so removes every pusher.
    expect(
      (
        await carl.post(`${V3}/account/deactivate`, {
          auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'carl' }, password: 'pw' },
        })
      ).status,
    ).toBe(200);
    const carlsPushers = () =>
      hs.server.app
        .get(DataSource)
        .query<unknown[]>('SELECT 1 FROM pushers WHERE user_id = $1', ['@carl:pushers.example']);
    await waitFor(async () => (await carlsPushers()).length === 0);
    expect(await carlsPushers()).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
