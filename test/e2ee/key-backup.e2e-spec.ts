import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const KEYS = '/_matrix/client/v3/room_keys';
const ROOM = '!room:backup.example';
const data = (firstMessageIndex: number, forwardedCount: number, isVerified: boolean, marker: string) => ({
  first_message_index: firstMessageIndex,
  forwarded_count: forwardedCount,
  is_verified: isVerified,
  session_data: { ephemeral: marker, ciphertext: marker, mac: marker },
});

describe('server-side key backup', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let version: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'backup.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
  });
  afterAll(() => hs.destroy());

  const authData = { public_key: 'abcdefg', signatures: {} };
  const session = (sessionId: string) => `${KEYS}/keys/${encodeURIComponent(ROOM)}/${sessionId}?version=${version}`;

  it('has no backup until one is created, then serves it as the newest version', async () => {
    expect((await ana.get(`${KEYS}/version`)).body.errcode).toBe('M_NOT_FOUND');
    const created = await ana.post(`${KEYS}/version`, {
      algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
      auth_data: authData,
    });
    expect(created.status).toBe(200);
    version = created.body.version as string;
    expect(typeof version).toBe('string');
    expect((await ana.get(`${KEYS}/version`)).body).toEqual({
      version,
      algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
      auth_data: authData,
      etag: '0',
      count: 0,
    });
    expect((await ana.post(`${KEYS}/version`, { auth_data: {} })).body.errcode).toBe('M_BAD_JSON');
  });

  it('round-trips keys at every level, with count and etag moving', async () => {
    const put = await ana.put(`${KEYS}/keys?version=${version}`, {
      rooms: { [ROOM]: { sessions: { s1: data(5, 0, false, 'one'), s2: data(0, 0, true, 'two') } } },
    });
    expect(put.body).toEqual({ etag: '1', count: 2 });
    expect((await ana.put(session('s3'), data(0, 1, false, 'three'))).body).toEqual({ etag: '2', count: 3 });
    expect((await ana.get(session('s3'))).body).toEqual(data(0, 1, false, 'three'));
    const room = await ana.get(`${KEYS}/keys/${encodeURIComponent(ROOM)}?version=${version}`);
    expect(Object.keys(room.body.sessions as object).sort()).toEqual(['s1', 's2', 's3']);
    const all = await ana.get(`${KEYS}/keys?version=${version}`);
    expect(all.body.rooms[ROOM].sessions.s2).toEqual(data(0, 0, true, 'two'));
    expect((await ana.get(`${KEYS}/version`)).body).toMatchObject({ etag: '2', count: 3 });
  });

  it('keeps the better key of a session: verified, then lower index, then fewer forwards', async () => {
    await ana.put(session('s1'), data(9, 0, false, 'worse index'));
    expect((await ana.get(session('s1'))).body.session_data.ciphertext).toBe('one');
    await ana.put(session('s1'), data(2, 0, false, 'better index'));
    expect((await ana.get(session('s1'))).body.session_data.ciphertext).toBe('better index');
    await ana.put(session('s1'), data(3, 0, true, 'verified'));
    expect((await ana.get(session('s1'))).body.session_data.ciphertext).toBe('verified');
    await ana.put(session('s1'), data(0, 0, false, 'unverified'));
    expect((await ana.get(session('s1'))).body.session_data.ciphertext).toBe('verified');
    await ana.put(session('s3'), data(0, 0, false, 'fewer forwards'));
    expect((await ana.get(session('s3'))).body.session_data.ciphertext).toBe('fewer forwards');
  });

  it('takes keys only into the newest version', async () => {
    const newer = (
      await ana.post(`${KEYS}/version`, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: authData })
    ).body.version as string;
    const stale = await ana.put(session('s4'), data(0, 0, false, 'late'));
    expect(stale.status).toBe(403);
    expect(stale.body).toMatchObject({ errcode: 'M_WRONG_ROOM_KEYS_VERSION', current_version: newer });
    expect((await ana.get(`${KEYS}/version`)).body.version).toBe(newer);
    // The old version still reads.
    expect((await ana.get(session('s2'))).status).toBe(200);
  });

  it('updates a version’s auth data but not its algorithm, and deletes versions with their keys', async () => {
    expect(
      (
        await ana.put(`${KEYS}/version/${version}`, {
          algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
          auth_data: { public_key: 'new' },
        })
      ).status,
    ).toBe(200);
    expect((await ana.get(`${KEYS}/version/${version}`)).body.auth_data).toEqual({ public_key: 'new' });
    expect((await ana.put(`${KEYS}/version/${version}`, { algorithm: 'other', auth_data: {} })).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
    expect((await ana.delete(session('s2'))).body).toMatchObject({ count: 2 });
    expect((await ana.delete(`${KEYS}/version/${version}`)).status).toBe(200);
    expect((await ana.get(`${KEYS}/version/${version}`)).body.errcode).toBe('M_NOT_FOUND');
    expect((await ana.get(session('s1'))).body.errcode).toBe('M_NOT_FOUND');
  });

  it('keeps each user’s backups to themselves', async () => {
    const bea = await signUp(hs.url, 'bea');
    expect((await bea.get(`${KEYS}/version`)).body.errcode).toBe('M_NOT_FOUND');
    expect((await bea.get(`${KEYS}/keys?version=${version}`)).body.errcode).toBe('M_NOT_FOUND');
  });
});
