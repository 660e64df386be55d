import { verifyJsonSignature, decodeBase64, type JsonObject } from '@hearth/protocol';
import { DataSource } from 'typeorm';
import { createTestDatabase, startTestHomeserver, type TestHomeserver } from '@hearth/testing';

describe('homeserver foundation endpoints', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        server_name: 'work.example',
        public_baseurl: 'https://matrix.work.example/',
        well_known: { server: 'matrix.work.example:443', client: { 'org.example.support': { url: 'https://help' } } },
      },
    });
  });
  afterAll(() => hs.destroy());

  const get = (path: string, init?: RequestInit) => fetch(`${hs.url}${path}`, init);

  it('lists the spec versions it supports, the r0 releases among them (their paths are served)', async () => {
    const res = await get('/_matrix/client/versions');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { versions: string[]; unstable_features: object };
    expect(body.versions).toContain('v1.1');
    expect(body.versions).toEqual(expect.arrayContaining(['r0.0.1', 'r0.5.0', 'r0.6.0', 'r0.6.1']));
    expect(body.versions.every((v) => /^(v1\.\d+|r0\.\d\.\d)$/.test(v))).toBe(true);
    // simplified sliding sync (MSC4186), which Element X looks for before it signs in
    expect(body.unstable_features).toEqual({ 'org.matrix.simplified_msc3575': true });
  });

  it('serves a key document signed by the key it lists', async () => {
    const before = Date.now();
    const doc = (await (await get('/_matrix/key/v2/server')).json()) as JsonObject & {
      server_name: string;
      valid_until_ts: number;
      verify_keys: Record<string, { key: string }>;
      old_verify_keys: JsonObject;
    };
    expect(doc.server_name).toBe('work.example');
    expect(doc.valid_until_ts).toBeGreaterThan(before + 60 * 60 * 1000);
    const [keyId, ...others] = Object.keys(doc.verify_keys);
    expect(others).toHaveLength(0);
    expect(keyId).toMatch(/^ed25519:[A-Za-z0-9_]+$/);
    const publicKey = decodeBase64(doc.verify_keys[keyId as string]!.key);
    expect(verifyJsonSignature(doc, 'work.example', keyId as string, publicKey)).toBe(true);
    expect(
      verifyJsonSignature(
        { ...doc, valid_until_ts: doc.valid_until_ts + 1 },
        'work.example',
        keyId as string,
        publicKey,
      ),
    ).toBe(false);
  });

  it('names itself on the federation version endpoint', async () => {
    const body = (await (await get('/_matrix/federation/v1/version')).json()) as {
      server: { name: string; version: string };
    };
    expect(body.server.name).toBe('Hearth');
    expect(body.server.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves both well-known documents from config', async () => {
    expect(await (await get('/.well-known/matrix/server')).json()).toEqual({ 'm.server': 'matrix.work.example:443' });
    expect(await (await get('/.well-known/matrix/client')).json()).toEqual({
      'm.homeserver': { base_url: 'https://matrix.work.example' },
      'org.example.support': { url: 'https://help' },
    });
  });

  it('answers health checks while the database is up', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
  });

  it('answers unknown endpoints with 404 M_UNRECOGNIZED', async () => {
    const res = await get('/_matrix/client/v3/no/such/thing');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errcode: 'M_UNRECOGNIZED', error: expect.any(String) });
  });

  it('answers a known endpoint with the wrong method with 405 M_UNRECOGNIZED', async () => {
    const res = await get('/_matrix/client/versions', { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(((await res.json()) as { errcode: string }).errcode).toBe('M_UNRECOGNIZED');
  });

  it('sends the CORS headers the spec requires, on errors too, and answers preflights', async () => {
    const preflight = await get('/_matrix/client/v3/login', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.element.io',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const methods = preflight.headers.get('access-control-allow-methods') ?? '';
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) expect(methods).toContain(method);
    const headers = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['x-requested-with', 'content-type', 'authorization']) expect(headers).toContain(header);

    const missing = await get('/_matrix/client/v3/nothing', { headers: { origin: 'https://app.element.io' } });
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('homeserver restart', () => {
  it('keeps its signing key and database across a restart, and refuses a changed server name', async () => {
    const first = await startTestHomeserver({ config: { server_name: 'home.example' } });
    const keyIdOf = async (hs: TestHomeserver) =>
      Object.keys(
        ((await (await fetch(`${hs.url}/_matrix/key/v2/server`)).json()) as { verify_keys: object }).verify_keys,
      )[0];
    const keyBefore = await keyIdOf(first);
    const second = await first.restart();
    try {
      expect(await keyIdOf(second)).toBe(keyBefore);
      await second.stop();
      await expect(second.restart({ server_name: 'other.example' })).rejects.toThrow(
        /belongs to server "home.example"/,
      );
    } finally {
      await second.destroy();
    }
  });
});

describe('database URL', () => {
  it('hands its parameters to PostgreSQL (application_name here; sslmode or a Unix socket `host` alike)', async () => {
    const database = await createTestDatabase();
    if (database.url === undefined) return; // the embedded fallback has no URL
    const url = new URL(database.url);
    url.searchParams.set('application_name', 'hearth-url-parameters');
    const hs = await startTestHomeserver({ database: { ...database, url: url.toString() } });
    try {
      const rows = await hs.server.app
        .get(DataSource)
        .query<Array<{ name: string }>>(
          'SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE datname = current_database()',
        );
      expect(rows.map((row) => row.name)).toContain('hearth-url-parameters');
    } finally {
      await hs.destroy();
    }
  });
});
