import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const ISSUER = 'https://idp.work.example';
const AUDIENCE = 'hearth';

describe('login with the organisation’s identity provider (org.matrix.login.jwt)', () => {
  let hs: TestHomeserver;
  let client: TestClient;
  let idpKey: CryptoKey;
  let strangerKey: CryptoKey;
  let keyDir: string;

  beforeAll(async () => {
    const idp = await generateKeyPair('ES256', { extractable: true });
    idpKey = idp.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-jwt-'));
    const publicKeyFile = path.join(keyDir, 'idp.pem');
    fs.writeFileSync(publicKeyFile, await exportSPKI(idp.publicKey));
    hs = await startTestHomeserver({
      config: {
        server_name: 'work.example',
        registration: 'closed',
        jwt_login: { public_key_file: publicKeyFile, issuer: ISSUER, audience: AUDIENCE, provision: true },
      },
    });
    client = new TestClient(hs.url);
  });
  afterAll(async () => {
    await hs.destroy();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  const token = (claims: { sub?: string; iss?: string; aud?: string; exp?: number | string }, key = idpKey) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuedAt();
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    jwt
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setExpirationTime(claims.exp ?? '5m');
    return jwt.sign(key);
  };
  const jwtLogin = async (jwt: string) =>
    client.post('/_matrix/client/v3/login', { type: 'org.matrix.login.jwt', token: jwt });

  it('advertises the JWT login type', async () => {
    expect((await client.get('/_matrix/client/v3/login')).body).toEqual({
      flows: [{ type: 'm.login.password' }, { type: 'org.matrix.login.jwt' }],
    });
  });

  it('logs in with a good token, creating the account on first login', async () => {
    const first = await jwtLogin(await token({ sub: 'ana' }));
    expect(first.status).toBe(200);
    expect(first.body.user_id).toBe('@ana:work.example');
    const again = await jwtLogin(await token({ sub: '@ana:work.example' }));
    expect(again.body.user_id).toBe('@ana:work.example');
    expect((await client.get('/_matrix/client/v3/account/whoami', again.body.access_token)).body.user_id).toBe(
      '@ana:work.example',
    );
  });

  it.each([
    ['an expired token', () => token({ sub: 'ana', exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a wrong issuer', () => token({ sub: 'ana', iss: 'https://evil.example' })],
    ['a wrong audience', () => token({ sub: 'ana', aud: 'someone-else' })],
    ['a token signed by another key', () => token({ sub: 'ana' }, strangerKey)],
    ['no subject', () => token({})],
    ['garbage', () => Promise.resolve('not.a.jwt')],
  ])('refuses %s with 403 M_FORBIDDEN', async (_name, make) => {
    const res = await jwtLogin(await make());
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });

  it('refuses a subject that is not a valid handle', async () => {
    const res = await jwtLogin(await token({ sub: 'Not A Handle' }));
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_USERNAME');
  });
});

describe('JWT login against the identity provider’s JWKS endpoint', () => {
  let hs: TestHomeserver;
  let jwks: Server;
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const idp = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    idpKey = idp.privateKey;
    const jwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'EdDSA', use: 'sig' };
    jwks = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    hs = await startTestHomeserver({
      config: {
        server_name: 'sso.example',
        jwt_login: {
          jwks_url: `http://127.0.0.1:${port}/jwks.json`,
          issuer: ISSUER,
          audience: AUDIENCE,
          provision: false,
        },
      },
    });
  });
  afterAll(async () => {
    await hs.destroy();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('verifies with the published key, and does not create accounts unless configured', async () => {
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'idp-1' })
      .setSubject('carl')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(idpKey);
    const client = new TestClient(hs.url);
    const res = await client.post('/_matrix/client/v3/login', { type: 'org.matrix.login.jwt', token: jwt });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'No account exists for this login' });
  });
});
