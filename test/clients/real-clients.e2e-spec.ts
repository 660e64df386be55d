import { startTestHomeserver, TestClient, signUp, type TestHomeserver } from '@hearth/testing';

/**
 * What clients other than matrix-js-sdk rely on (issue 16, "Real clients"): matrix-nio,
 * Hydrogen, weechat-matrix, ement, nheko and matrix-bot-sdk each tripped over one of these.
 */
describe('real clients', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'clients.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  describe('r0 paths', () => {
    it('registers, logs in, creates a room, sends and syncs under /_matrix/client/r0', async () => {
      const anon = new TestClient(hs.url);
      const first = await anon.post('/_matrix/client/r0/register', { username: 'rzero', password: 'pw' });
      expect(first.status).toBe(401);
      const registered = await anon.post('/_matrix/client/r0/register', { username: 'rzero', password: 'pw', auth: { type: 'm.login.dummy', session: first.body.session } });
      expect(registered.status).toBe(200);

      const login = await anon.post('/_matrix/client/r0/login', { type: 'm.login.password', user: 'rzero', password: 'pw' });
      expect(login.status).toBe(200);
      const client = new TestClient(hs.url, login.body.access_token as string);
      expect((await client.get('/_matrix/client/r0/account/whoami')).body.user_id).toBe('@rzero:clients.example');

      const room = await client.post('/_matrix/client/r0/createRoom', {});
      expect(room.status).toBe(200);
      const roomId = room.body.room_id as string;
      const sent = await client.put(`/_matrix/client/r0/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'hi' });
      expect(sent.status).toBe(200);
      const sync = await client.get('/_matrix/client/r0/sync');
      expect(sync.status).toBe(200);
      const timeline = sync.body.rooms.join[roomId].timeline.events as Array<{ event_id: string }>;
      expect(timeline.map((e) => e.event_id)).toContain(sent.body.event_id);
      expect((await client.get('/_matrix/client/r0/devices')).status).toBe(200);
    });

    it('keeps 404 and 405 apart under r0, and serves no r0 form of v1-only endpoints', async () => {
      const client = await signUp(hs.url, 'rzero405');
      const wrongMethod = await client.get('/_matrix/client/r0/createRoom');
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
      expect(wrongMethod.body.errcode).toBe('M_UNRECOGNIZED');
      const missing = await client.get('/_matrix/client/r0/no_such_endpoint');
      expect(missing.status).toBe(404);
      expect(missing.body.errcode).toBe('M_UNRECOGNIZED');
      // Relations were only ever specified under /v1.
      const room = await client.post('/_matrix/client/v3/createRoom', {});
      const relations = await client.get(`/_matrix/client/r0/rooms/${encodeURIComponent(room.body.room_id as string)}/relations/$x`);
      expect(relations.status).toBe(404);
      expect(relations.body.errcode).toBe('M_UNRECOGNIZED');
    });
  });

  describe('endpoints Hearth does not serve', () => {
    // Media is not served yet; when it is, pick another unserved path with a binary body.
    it('answers POST /_matrix/media/v3/upload with an image body 404 M_UNRECOGNIZED, not 400 M_NOT_JSON (Hydrogen retried forever)', async () => {
      const client = await signUp(hs.url, 'uploader');
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      for (const path of ['/_matrix/media/v3/upload', '/_matrix/media/r0/upload', '/_matrix/client/v3/no_such_thing']) {
        const res = await fetch(`${hs.url}${path}?filename=a.png`, { method: 'POST', body: png, headers: { 'content-type': 'image/png', authorization: `Bearer ${client.accessToken}` } });
        expect(res.status).toBe(404);
        expect(((await res.json()) as { errcode: string }).errcode).toBe('M_UNRECOGNIZED');
      }
    });
  });

  describe('devices', () => {
    it('lists every device with display_name, last_seen_ip and last_seen_ts keys, null when not recorded (matrix-nio requires them)', async () => {
      const client = await signUp(hs.url, 'devicekeys');
      // A device created without a display name.
      const login = await new TestClient(hs.url).loginPassword('devicekeys', 'pw', { device_id: 'NONAME' });
      expect(login.status).toBe(200);
      const listed = await client.get('/_matrix/client/r0/devices');
      expect(listed.status).toBe(200);
      const devices = listed.body.devices as Array<Record<string, unknown>>;
      expect(devices.length).toBe(2);
      for (const device of devices) expect(Object.keys(device).sort()).toEqual(['device_id', 'display_name', 'last_seen_ip', 'last_seen_ts']);
      const noName = devices.find((d) => d.device_id === 'NONAME');
      expect(noName).toMatchObject({ display_name: null, last_seen_ip: null });
      const one = await client.get('/_matrix/client/v3/devices/NONAME');
      expect(Object.keys(one.body).sort()).toEqual(['device_id', 'display_name', 'last_seen_ip', 'last_seen_ts']);
    });
  });
});
