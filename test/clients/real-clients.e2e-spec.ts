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
      const registered = await anon.post('/_matrix/client/r0/register', {
        username: 'rzero',
        password: 'pw',
        auth: { type: 'm.login.dummy', session: first.body.session },
      });
      expect(registered.status).toBe(200);

      const login = await anon.post('/_matrix/client/r0/login', {
        type: 'm.login.password',
        user: 'rzero',
        password: 'pw',
      });
      expect(login.status).toBe(200);
      const client = new TestClient(hs.url, login.body.access_token as string);
      expect((await client.get('/_matrix/client/r0/account/whoami')).body.user_id).toBe('@rzero:clients.example');

      const room = await client.post('/_matrix/client/r0/createRoom', {});
      expect(room.status).toBe(200);
      const roomId = room.body.room_id as string;
      const sent = await client.put(`/_matrix/client/r0/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, {
        msgtype: 'm.text',
        body: 'hi',
      });
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
      const relations = await client.get(
        `/_matrix/client/r0/rooms/${encodeURIComponent(room.body.room_id as string)}/relations/$x`,
      );
      expect(relations.status).toBe(404);
      expect(relations.body.errcode).toBe('M_UNRECOGNIZED');
    });
  });

  describe('endpoints Hearth does not serve', () => {
    // Media upload is served now (test/media); unserved paths under the media prefix stand in for it.
    it('answers an unserved POST with an image body 404 M_UNRECOGNIZED, not 400 M_NOT_JSON (Hydrogen retried forever)', async () => {
      const client = await signUp(hs.url, 'uploader');
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      for (const path of [
        '/_matrix/media/v3/no_such_thing',
        '/_matrix/media/r0/no_such_thing',
        '/_matrix/client/v3/no_such_thing',
      ]) {
        const res = await fetch(`${hs.url}${path}?filename=a.png`, {
          method: 'POST',
          body: png,
          headers: { 'content-type': 'image/png', authorization: `Bearer ${client.accessToken}` },
        });
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
      for (const device of devices)
        expect(Object.keys(device).sort()).toEqual(['device_id', 'display_name', 'last_seen_ip', 'last_seen_ts']);
      const noName = devices.find((d) => d.device_id === 'NONAME');
      expect(noName).toMatchObject({ display_name: null, last_seen_ip: null });
      const one = await client.get('/_matrix/client/v3/devices/NONAME');
      expect(Object.keys(one.body).sort()).toEqual(['device_id', 'display_name', 'last_seen_ip', 'last_seen_ts']);
    });
  });

  describe('leniency, as Synapse', () => {
    it('registers in one request when it already carries auth m.login.dummy without a session (matrix-nio)', async () => {
      const res = await new TestClient(hs.url).post('/_matrix/client/r0/register', {
        username: 'niodummy',
        password: 'pw',
        auth: { type: 'm.login.dummy' },
      });
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe('@niodummy:clients.example');
      expect(typeof res.body.access_token).toBe('string');
    });

    it('still challenges a first request without auth, and one whose stage is not offered', async () => {
      const anon = new TestClient(hs.url);
      const bare = await anon.post('/_matrix/client/v3/register', { username: 'nodummy', password: 'pw' });
      expect(bare.status).toBe(401);
      expect(bare.body.flows).toEqual([{ stages: ['m.login.dummy'] }]);
      const wrong = await anon.post('/_matrix/client/v3/register', {
        username: 'nodummy',
        password: 'pw',
        auth: { type: 'm.login.registration_token', token: 'x' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.errcode).toBe('M_INVALID_PARAM');
      expect(typeof wrong.body.session).toBe('string');
    });

    it('reads null optional fields on /register and /login as absent', async () => {
      const anon = new TestClient(hs.url);
      const registered = await anon.post('/_matrix/client/r0/register', {
        username: 'nullish',
        password: 'pw',
        device_id: null,
        initial_device_display_name: null,
        inhibit_login: null,
        refresh_token: null,
        auth: { type: 'm.login.dummy' },
      });
      expect(registered.status).toBe(200);
      expect(typeof registered.body.device_id).toBe('string');
      const login = await anon.post('/_matrix/client/r0/login', {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'nullish' },
        password: 'pw',
        device_id: null,
        initial_device_display_name: null,
        refresh_token: null,
      });
      expect(login.status).toBe(200);
      expect(typeof login.body.device_id).toBe('string');
      expect(login.body.refresh_token).toBeUndefined();
      // A required field stays required.
      expect(
        (await anon.post('/_matrix/client/v3/login', { type: null, user: 'nullish', password: 'pw' })).body.errcode,
      ).toBe('M_BAD_JSON');
    });

    it('takes an empty body on join, leave, forget, knock and receipts as {}', async () => {
      const owner = await signUp(hs.url, 'emptyowner');
      const guest = await signUp(hs.url, 'emptyguest');
      const room = await owner.post('/_matrix/client/v3/createRoom', {
        preset: 'public_chat',
        room_alias_name: 'emptybody',
      });
      const roomId = encodeURIComponent(room.body.room_id as string);
      const empty = (path: string, client: TestClient) =>
        fetch(`${hs.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${client.accessToken}` } });
      const emptyJson = (path: string, client: TestClient) =>
        fetch(`${hs.url}${path}`, {
          method: 'POST',
          body: '',
          headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'application/json' },
        });

      expect(
        (await empty(`/_matrix/client/r0/join/${encodeURIComponent('#emptybody:clients.example')}`, guest)).status,
      ).toBe(200);
      expect((await empty(`/_matrix/client/r0/rooms/${roomId}/leave`, guest)).status).toBe(200);
      expect((await emptyJson(`/_matrix/client/v3/rooms/${roomId}/join`, guest)).status).toBe(200);
      const sent = await owner.put(`/_matrix/client/v3/rooms/${roomId}/send/m.room.message/r1`, {
        msgtype: 'm.text',
        body: 'read me',
      });
      expect(
        (
          await empty(
            `/_matrix/client/r0/rooms/${roomId}/receipt/m.read/${encodeURIComponent(sent.body.event_id as string)}`,
            guest,
          )
        ).status,
      ).toBe(200);
      expect((await emptyJson(`/_matrix/client/v3/rooms/${roomId}/leave`, guest)).status).toBe(200);
      expect((await empty(`/_matrix/client/v3/rooms/${roomId}/forget`, guest)).status).toBe(200);

      const knockRoom = await owner.post('/_matrix/client/v3/createRoom', {
        initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } }],
      });
      expect(
        (await empty(`/_matrix/client/v3/knock/${encodeURIComponent(knockRoom.body.room_id as string)}`, guest)).status,
      ).toBe(200);

      // Where a body is required, an empty one is still refused, with a Matrix error.
      const invite = await empty(`/_matrix/client/v3/rooms/${roomId}/invite`, owner);
      expect(invite.status).toBe(400);
      expect(((await invite.json()) as { errcode: string }).errcode).toBe('M_NOT_JSON');
    });
  });

  describe('unsigned.transaction_id', () => {
    it("is on the sender's own events for the device that sent them, in /sync, /messages, /context and /event, and for no one else", async () => {
      const sender = await signUp(hs.url, 'echoer');
      const otherDevice = new TestClient(
        hs.url,
        (await new TestClient(hs.url).loginPassword('echoer', 'pw')).body.access_token as string,
      );
      const reader = await signUp(hs.url, 'echoreader');
      const room = await sender.post('/_matrix/client/v3/createRoom', { preset: 'public_chat' });
      const roomId = room.body.room_id as string;
      const path = `/_matrix/client/r0/rooms/${encodeURIComponent(roomId)}`;
      expect((await reader.post(`/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
      const sent = await sender.put(`${path}/send/m.room.message/local-echo-1`, { msgtype: 'm.text', body: 'once' });
      const eventId = sent.body.event_id as string;
      const redacted = await sender.put(`${path}/send/m.room.message/local-echo-2`, {
        msgtype: 'm.text',
        body: 'gone',
      });
      const redaction = await sender.put(
        `${path}/redact/${encodeURIComponent(redacted.body.event_id as string)}/local-echo-3`,
        {},
      );

      const txnIdsIn = (events: Array<{ event_id: string; unsigned?: { transaction_id?: string } }>) =>
        Object.fromEntries(
          events
            .filter((e) => e.unsigned?.transaction_id !== undefined)
            .map((e) => [e.event_id, e.unsigned?.transaction_id]),
        );
      const expected = {
        [eventId]: 'local-echo-1',
        [redacted.body.event_id as string]: 'local-echo-2',
        [redaction.body.event_id as string]: 'local-echo-3',
      };

      type Events = Parameters<typeof txnIdsIn>[0];
      const timelineOf = async (client: TestClient): Promise<Events> =>
        (await client.get('/_matrix/client/r0/sync')).body.rooms.join[roomId].timeline.events as Events;
      expect(txnIdsIn(await timelineOf(sender))).toEqual(expected);
      expect(txnIdsIn(await timelineOf(otherDevice))).toEqual({});
      expect(txnIdsIn(await timelineOf(reader))).toEqual({});

      const messagesOf = async (client: TestClient): Promise<Events> =>
        (await client.get(`${path}/messages?dir=b&limit=50`)).body.chunk as Events;
      expect(txnIdsIn(await messagesOf(sender))).toEqual(expected);
      expect(txnIdsIn(await messagesOf(otherDevice))).toEqual({});

      const context = (await sender.get(`${path}/context/${encodeURIComponent(eventId)}?limit=10`)).body;
      expect(context.event.unsigned.transaction_id).toBe('local-echo-1');
      expect(txnIdsIn([...context.events_before, ...context.events_after])).toEqual({
        [redacted.body.event_id as string]: 'local-echo-2',
        [redaction.body.event_id as string]: 'local-echo-3',
      });
      expect(
        (await reader.get(`${path}/context/${encodeURIComponent(eventId)}`)).body.event.unsigned.transaction_id,
      ).toBeUndefined();

      expect((await sender.get(`${path}/event/${encodeURIComponent(eventId)}`)).body.unsigned.transaction_id).toBe(
        'local-echo-1',
      );
      expect(
        (await otherDevice.get(`${path}/event/${encodeURIComponent(eventId)}`)).body.unsigned.transaction_id,
      ).toBeUndefined();
      expect(
        (await reader.get(`${path}/event/${encodeURIComponent(eventId)}`)).body.unsigned.transaction_id,
      ).toBeUndefined();

      // Reactions and edits come back through /relations too.
      const reaction = await sender.put(`${path}/send/m.reaction/local-echo-4`, {
        'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key: '👍' },
      });
      const relationsPath = `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(eventId)}`;
      expect(txnIdsIn((await sender.get(relationsPath)).body.chunk as Events)).toEqual({
        [reaction.body.event_id as string]: 'local-echo-4',
      });
      expect(txnIdsIn((await reader.get(relationsPath)).body.chunk as Events)).toEqual({});
    });
  });
});
