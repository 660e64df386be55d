import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

/** Endpoints clients call at start for features Hearth does not have: they must fall back cleanly. */
describe('what clients ask of features Hearth lacks', () => {
  let hs: TestHomeserver;
  let ana: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
  });
  afterAll(() => hs.destroy());

  it('knows no third-party protocols (no bridges), and needs an access token to say so', async () => {
    const res = await ana.get('/_matrix/client/v3/thirdparty/protocols');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const anonymous = await new TestClient(hs.url).get('/_matrix/client/v3/thirdparty/protocols');
    expect(anonymous.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('answers 404 M_UNRECOGNIZED for OAuth 2.0 server metadata, so clients use the legacy login', async () => {
    const res = await new TestClient(hs.url).get('/_matrix/client/v1/auth_metadata');
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });

  it('answers 404 M_UNRECOGNIZED for login tokens (m.get_login_token is not offered)', async () => {
    const res = await ana.post('/_matrix/client/v1/login/get_token', {});
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
    const capabilities = await ana.get('/_matrix/client/v3/capabilities');
    expect(capabilities.body.capabilities['m.get_login_token']?.enabled ?? false).toBe(false);
  });
});
