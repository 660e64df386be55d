import {
  decodeBase64,
  generateSigningKey,
  signFederationRequest,
  signingKeyFromSeed,
  verifyJsonSignature,
} from '@hearth/protocol';
import {
  federationRequest,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  TestClient,
  type FederatingHomeserver,
  type TestCertificate,
} from '../support';

describe('Federation: server keys, notaries and X-Matrix request authentication (three real servers over TLS)', () => {
  let certificate: TestCertificate;
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let strict: FederatingHomeserver;

  beforeAll(async () => {
    certificate = makeTestCertificate();
    a = await startFederatingHomeserver(certificate, { registration: 'open' });
    b = await startFederatingHomeserver(certificate, {
      registration: 'open',
      federation: { deny: ['*.evil.example'] },
    });
    // Verifies certificates (the default) and federates only with B.
    strict = await startFederatingHomeserver(certificate, { federation: { verify_tls: true, allow: [b.serverName] } });
  });

  afterAll(async () => {
    await Promise.all([a, b, strict].map((server) => server?.destroy()));
  });

  const asA = (uri: string, destination = b.serverName) =>
    federationRequest(b.federationUrl, 'GET', uri, undefined, { origin: a.serverName, key: a.signingKey, destination });

  it('serves its key document over the TLS federation listener, signed by the key it lists', async () => {
    const res = await federationRequest(a.federationUrl, 'GET', '/_matrix/key/v2/server', undefined, {
      origin: 'x',
      key: a.signingKey,
      destination: 'y',
      authorization: null,
    });
    expect(res.status).toBe(200);
    expect(res.body.server_name).toBe(a.serverName);
    const [keyId, entry] = Object.entries(res.body.verify_keys as Record<string, { key: string }>)[0]!;
    expect(keyId).toBe(a.signingKey.keyId);
    expect(verifyJsonSignature(res.body, a.serverName, keyId, decodeBase64(entry.key))).toBe(true);
  });

  it('answers the deprecated /server/{keyId} path (older Synapse releases ask it) exactly as /server, whatever the key ID', async () => {
    const current = await federationRequest(a.federationUrl, 'GET', '/_matrix/key/v2/server', undefined, {
      origin: 'x',
      key: a.signingKey,
      destination: 'y',
      authorization: null,
    });
    for (const keyId of [a.signingKey.keyId, 'ed25519:unknown']) {
      const res = await federationRequest(
        a.federationUrl,
        'GET',
        `/_matrix/key/v2/server/${encodeURIComponent(keyId)}`,
        undefined,
        { origin: 'x', key: a.signingKey, destination: 'y', authorization: null },
      );
      expect(res.status).toBe(200);
      expect(res.body.server_name).toBe(a.serverName);
      expect(Object.keys(res.body.verify_keys as object)).toEqual([a.signingKey.keyId]);
      expect(res.body.verify_keys).toEqual(current.body.verify_keys);
      expect(verifyJsonSignature(res.body, a.serverName, a.signingKey.keyId, a.signingKey.publicKey)).toBe(true);
    }
  });

  it('acts as a notary: fetches another server’s keys over TLS and returns them signed by both', async () => {
    const res = await new TestClient(b.url).post('/_matrix/key/v2/query', { server_keys: { [a.serverName]: {} } });
    expect(res.status).toBe(200);
    expect(res.body.server_keys).toHaveLength(1);
    const document = res.body.server_keys[0];
    expect(document.server_name).toBe(a.serverName);
    expect(verifyJsonSignature(document, a.serverName, a.signingKey.keyId, a.signingKey.publicKey)).toBe(true);
    expect(verifyJsonSignature(document, b.serverName, b.signingKey.keyId, b.signingKey.publicKey)).toBe(true);

    const one = await new TestClient(b.url).get(`/_matrix/key/v2/query/${encodeURIComponent(a.serverName)}`);
    expect(one.body.server_keys[0].server_name).toBe(a.serverName);
    const own = await new TestClient(b.url).get(`/_matrix/key/v2/query/${encodeURIComponent(b.serverName)}`);
    expect(own.body.server_keys[0].server_name).toBe(b.serverName);
    // The deprecated path with a key ID answers the same, whatever the key ID.
    const byKeyId = await new TestClient(b.url).get(
      `/_matrix/key/v2/query/${encodeURIComponent(a.serverName)}/${encodeURIComponent('ed25519:whatever')}`,
    );
    expect(byKeyId.status).toBe(200);
    expect(
      verifyJsonSignature(byKeyId.body.server_keys[0], a.serverName, a.signingKey.keyId, a.signingKey.publicKey),
    ).toBe(true);
  });

  it('answers nothing for a server that cannot be reached, and refuses bad notary queries', async () => {
    const res = await new TestClient(b.url).post('/_matrix/key/v2/query', { server_keys: { '127.0.0.1:1': {} } });
    expect(res.status).toBe(200);
    expect(res.body.server_keys).toEqual([]);
    expect((await new TestClient(b.url).post('/_matrix/key/v2/query', { server_keys: 'all' })).body.errcode).toBe(
      'M_BAD_JSON',
    );
  });

  it('verifies certificates by default: a server with a self-made certificate is not trusted', async () => {
    const res = await new TestClient(strict.url).post('/_matrix/key/v2/query', { server_keys: { [b.serverName]: {} } });
    expect(res.status).toBe(200);
    expect(res.body.server_keys).toEqual([]);
  });

  it('accepts a request signed by the origin’s key, fetched from the origin', async () => {
    await signUp(b.url, 'bob');
    const res = await asA(
      `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(`#nowhere:${b.serverName}`)}`,
    );
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_NOT_FOUND');
  });

  it('resolves a room alias for another server, listing the servers in the room', async () => {
    const bob = await signUp(b.url, 'bobby');
    const created = await bob.post('/_matrix/client/v3/createRoom', { room_alias_name: 'lounge' });
    const res = await asA(
      `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(`#lounge:${b.serverName}`)}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ room_id: created.body.room_id, servers: [b.serverName] });
  });

  it('shows a profile only to servers whose users share a room with the user', async () => {
    const carol = await signUp(b.url, 'carol');
    await carol.put(`/_matrix/client/v3/profile/${encodeURIComponent(`@carol:${b.serverName}`)}/displayname`, {
      displayname: 'Carol',
    });
    const res = await asA(
      `/_matrix/federation/v1/query/profile?user_id=${encodeURIComponent(`@carol:${b.serverName}`)}`,
    );
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    expect((await asA('/_matrix/federation/v1/query/profile')).body.errcode).toBe('M_MISSING_PARAM');
    expect((await asA('/_matrix/federation/v1/query/profile?user_id=carol')).body.errcode).toBe('M_INVALID_PARAM');
  });

  describe('refuses requests that are not properly signed with 401 M_UNAUTHORIZED', () => {
    const uri = () => `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(`#x:${b.serverName}`)}`;
    const send = (options: {
      origin?: string;
      key?: ReturnType<typeof generateSigningKey>;
      destination?: string;
      authorization?: string | null;
      uri?: string;
    }) =>
      federationRequest(b.federationUrl, 'GET', options.uri ?? uri(), undefined, {
        origin: options.origin ?? a.serverName,
        key: options.key ?? a.signingKey,
        destination: options.destination ?? b.serverName,
        ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
      });

    it.each([
      ['no Authorization header', () => ({ authorization: null })],
      ['another scheme', () => ({ authorization: 'Bearer abc' })],
      ['a malformed X-Matrix header', () => ({ authorization: 'X-Matrix origin="a",key=' })],
      [
        'a signature by the wrong key under the origin’s key ID',
        () => ({ key: signingKeyFromSeed(a.signingKey.version, generateSigningKey().seed) }),
      ],
      ['a key ID the origin does not have', () => ({ key: generateSigningKey('unknown') })],
      ['another destination', () => ({ destination: 'elsewhere.example' })],
      ['an origin that cannot be reached for its keys', () => ({ origin: '127.0.0.1:1' })],
    ])('%s', async (_what, options) => {
      const res = await send(options());
      expect(res.status).toBe(401);
      expect(res.body.errcode).toBe('M_UNAUTHORIZED');
    });

    it('a signature over another URI', async () => {
      const other = await federationRequest(b.federationUrl, 'GET', uri(), undefined, {
        origin: a.serverName,
        key: a.signingKey,
        destination: b.serverName,
        authorization: signFederationRequest(
          { method: 'GET', uri: '/_matrix/federation/v1/version', origin: a.serverName, destination: b.serverName },
          a.signingKey,
        ),
      });
      expect(other.status).toBe(401);
    });
  });

  it('tells a third party whose OpenID token it holds, and nothing for a bad token', async () => {
    const ana = await signUp(a.url, 'ana');
    const issued = await ana.post(
      `/_matrix/client/v3/user/${encodeURIComponent(`@ana:${a.serverName}`)}/openid/request_token`,
      {},
    );
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ token_type: 'Bearer', matrix_server_name: a.serverName, expires_in: 3600 });
    const info = await federationRequest(
      a.federationUrl,
      'GET',
      `/_matrix/federation/v1/openid/userinfo?access_token=${issued.body.access_token as string}`,
      undefined,
      {
        origin: 'x',
        key: a.signingKey,
        destination: 'y',
        authorization: null,
      },
    );
    expect(info.body).toEqual({ sub: `@ana:${a.serverName}` });
    const bad = await federationRequest(
      a.federationUrl,
      'GET',
      '/_matrix/federation/v1/openid/userinfo?access_token=hot_nope',
      undefined,
      { origin: 'x', key: a.signingKey, destination: 'y', authorization: null },
    );
    expect(bad.status).toBe(401);
    expect(bad.body.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(
      (
        await ana.post(
          `/_matrix/client/v3/user/${encodeURIComponent(`@someone:${a.serverName}`)}/openid/request_token`,
          {},
        )
      ).status,
    ).toBe(403);
  });

  it('refuses servers outside its allow-list with 403 M_FORBIDDEN', async () => {
    const res = await federationRequest(
      strict.federationUrl,
      'GET',
      '/_matrix/federation/v1/query/profile?user_id=%40x%3Ay',
      undefined,
      {
        origin: a.serverName,
        key: a.signingKey,
        destination: strict.serverName,
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});
