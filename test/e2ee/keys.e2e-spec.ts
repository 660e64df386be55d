import Olm from '@matrix-org/olm';
import { DataSource } from 'typeorm';
import { canonicalJson } from '@hearth/protocol';
import { startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SERVER = 'keys.example';

/** A device as a real client keeps it: an Olm account and the access token of its login. */
interface Device {
  readonly userId: string;
  readonly deviceId: string;
  readonly client: TestClient;
  readonly account: Olm.Account;
}

describe('device keys, one-time keys and an Olm message between two local users', () => {
  let hs: TestHomeserver;
  let ana: Device;
  let bea: Device;

  /** A device of an existing account: a login with its own Olm account. */
  const signIn = async (name: string, deviceId: string): Promise<Device> => {
    const login = await new TestClient(hs.url).loginPassword(name, 'pw', { device_id: deviceId });
    expect(login.status).toBe(200);
    const account = new Olm.Account();
    account.create();
    return {
      userId: `@${name}:${SERVER}`,
      deviceId,
      client: new TestClient(hs.url, login.body.access_token as string),
      account,
    };
  };
  const device = async (name: string, deviceId: string): Promise<Device> => {
    expect((await new TestClient(hs.url).registerOpen(name, 'pw', { device_id: deviceId })).status).toBe(200);
    return signIn(name, deviceId);
  };
  const signed = <T extends Record<string, unknown>>(owner: Device, object: T, signWith = owner.account) => ({
    ...object,
    signatures: { [owner.userId]: { [`ed25519:${owner.deviceId}`]: signWith.sign(canonicalJson(object)) } },
  });
  const deviceKeys = (owner: Device, signWith = owner.account) => {
    const identity = JSON.parse(owner.account.identity_keys()) as { curve25519: string; ed25519: string };
    return signed(
      owner,
      {
        user_id: owner.userId,
        device_id: owner.deviceId,
        algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
        keys: {
          [`curve25519:${owner.deviceId}`]: identity.curve25519,
          [`ed25519:${owner.deviceId}`]: identity.ed25519,
        },
      },
      signWith,
    );
  };
  const oneTimeKeys = (owner: Device, count: number) => {
    owner.account.generate_one_time_keys(count);
    const { curve25519 } = JSON.parse(owner.account.one_time_keys()) as { curve25519: Record<string, string> };
    owner.account.mark_keys_as_published();
    return Object.fromEntries(
      Object.entries(curve25519).map(([id, key]) => [`signed_curve25519:${id}`, signed(owner, { key })]),
    );
  };

  beforeAll(async () => {
    await Olm.init();
    hs = await startTestHomeserver({ config: { server_name: SERVER, registration: 'open' } });
    ana = await device('ana', 'ANADEVICE');
    bea = await device('bea', 'BEADEVICE');
  });
  afterAll(async () => {
    ana?.account.free();
    bea?.account.free();
    await hs.destroy();
  });

  it('takes signed device and one-time keys and refuses forged or changed ones', async () => {
    const forger = new Olm.Account();
    forger.create();
    expect((await bea.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(bea, forger) })).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
    forger.free();

    const uploaded = await bea.client.post(`${V3}/keys/upload`, {
      device_keys: deviceKeys(bea),
      one_time_keys: oneTimeKeys(bea, 5),
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.one_time_key_counts).toEqual({ signed_curve25519: 5 });
    // The same keys again are fine; different ones for the same device are not.
    expect((await bea.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(bea) })).status).toBe(200);
    const other = new Olm.Account();
    other.create();
    const changed = {
      ...deviceKeys(bea),
      keys: { [`ed25519:${bea.deviceId}`]: JSON.parse(other.identity_keys()).ed25519 as string },
    };
    expect((await bea.client.post(`${V3}/keys/upload`, { device_keys: changed })).body.errcode).toBe('M_INVALID_PARAM');
    other.free();
    // A one-time key whose signature does not verify is refused.
    expect(
      (
        await bea.client.post(`${V3}/keys/upload`, {
          one_time_keys: {
            'signed_curve25519:forged': {
              key: 'AAAA',
              signatures: { [bea.userId]: { [`ed25519:${bea.deviceId}`]: 'bad' } },
            },
          },
        })
      ).body.errcode,
    ).toBe('M_INVALID_PARAM');
    // Someone else's device keys cannot be uploaded.
    expect((await ana.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(bea) })).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
    // The fallback key.
    bea.account.generate_fallback_key();
    const { curve25519: fallback } = JSON.parse(bea.account.unpublished_fallback_key()) as {
      curve25519: Record<string, string>;
    };
    const [fallbackId, fallbackKey] = Object.entries(fallback)[0]!;
    expect(
      (
        await bea.client.post(`${V3}/keys/upload`, {
          fallback_keys: { [`signed_curve25519:${fallbackId}`]: signed(bea, { key: fallbackKey, fallback: true }) },
        })
      ).status,
    ).toBe(200);

    const synced = await bea.client.get(`${V3}/sync`);
    expect(synced.body.device_one_time_keys_count).toEqual({ signed_curve25519: 5 });
    expect(synced.body.device_unused_fallback_key_types).toEqual(['signed_curve25519']);
  });

  it('answers key queries with the keys as signed, and failures for other servers', async () => {
    const res = await ana.client.post(`${V3}/keys/query`, {
      device_keys: { [bea.userId]: [], '@someone:elsewhere.example': [] },
    });
    expect(res.status).toBe(200);
    const keys = res.body.device_keys[bea.userId][bea.deviceId] as LooseBody;
    const utility = new Olm.Utility();
    const { signatures: _signatures, unsigned: _unsigned, ...plain } = keys;
    expect(() =>
      utility.ed25519_verify(
        keys.keys[`ed25519:${bea.deviceId}`] as string,
        canonicalJson(plain),
        keys.signatures[bea.userId][`ed25519:${bea.deviceId}`] as string,
      ),
    ).not.toThrow();
    utility.free();
    expect(res.body.failures).toEqual({ 'elsewhere.example': expect.objectContaining({ errcode: 'M_UNAVAILABLE' }) });
  });

  it('hands each one-time key out once under concurrent claims, then the fallback key', async () => {
    const claims = await Promise.all(
      Array.from({ length: 4 }, () =>
        ana.client.post(`${V3}/keys/claim`, {
          one_time_keys: { [bea.userId]: { [bea.deviceId]: 'signed_curve25519' } },
        }),
      ),
    );
    const keyIds = claims.flatMap((res) => Object.keys(res.body.one_time_keys[bea.userId][bea.deviceId] as LooseBody));
    expect(new Set(keyIds).size).toBe(4);
    const counts = (await bea.client.post(`${V3}/keys/upload`, {})).body.one_time_key_counts;
    expect(counts).toEqual({ signed_curve25519: 1 });
    const last = await ana.client.post(`${V3}/keys/claim`, {
      one_time_keys: { [bea.userId]: { [bea.deviceId]: 'signed_curve25519' } },
    });
    const fallbackA = await ana.client.post(`${V3}/keys/claim`, {
      one_time_keys: { [bea.userId]: { [bea.deviceId]: 'signed_curve25519' } },
    });
    const fallbackB = await ana.client.post(`${V3}/keys/claim`, {
      one_time_keys: { [bea.userId]: { [bea.deviceId]: 'signed_curve25519' } },
    });
    expect(keyIds).not.toContain(Object.keys(last.body.one_time_keys[bea.userId][bea.deviceId] as LooseBody)[0]);
    expect(fallbackA.body.one_time_keys).toEqual(fallbackB.body.one_time_keys);
    expect((await bea.client.get(`${V3}/sync`)).body.device_unused_fallback_key_types).toEqual([]);
  });

  it('carries an Olm-encrypted to-device message that the recipient decrypts', async () => {
    const fresh = await bea.client.post(`${V3}/keys/upload`, { one_time_keys: oneTimeKeys(bea, 1) });
    expect(fresh.body.one_time_key_counts).toEqual({ signed_curve25519: 1 });
    const beaKeys = (await ana.client.post(`${V3}/keys/query`, { device_keys: { [bea.userId]: [bea.deviceId] } })).body
      .device_keys[bea.userId][bea.deviceId] as LooseBody;
    const beaCurve = beaKeys.keys[`curve25519:${bea.deviceId}`] as string;
    const claimed = (
      await ana.client.post(`${V3}/keys/claim`, {
        one_time_keys: { [bea.userId]: { [bea.deviceId]: 'signed_curve25519' } },
      })
    ).body.one_time_keys[bea.userId][bea.deviceId] as LooseBody;
    const oneTimeKey = (Object.values(claimed)[0] as { key: string }).key;

    const outbound = new Olm.Session();
    outbound.create_outbound(ana.account, beaCurve, oneTimeKey);
    const plaintext = JSON.stringify({
      type: 'm.room_key',
      content: { algorithm: 'm.megolm.v1.aes-sha2', room_id: '!r:keys.example', session_id: 's', session_key: 'k' },
    });
    const encrypted = outbound.encrypt(plaintext);
    const anaCurve = (JSON.parse(ana.account.identity_keys()) as { curve25519: string }).curve25519;
    const before = (await bea.client.get(`${V3}/sync`)).body.next_batch as string;
    const sent = await ana.client.put(`${V3}/sendToDevice/m.room.encrypted/olm1`, {
      messages: {
        [bea.userId]: {
          [bea.deviceId]: {
            algorithm: 'm.olm.v1.curve25519-aes-sha2',
            sender_key: anaCurve,
            ciphertext: { [beaCurve]: encrypted },
          },
        },
      },
    });
    expect(sent.status).toBe(200);

    const received = ((await bea.client.get(`${V3}/sync?since=${before}`)).body.to_device.events as LooseBody[])[0]!;
    expect(received).toMatchObject({ sender: ana.userId, type: 'm.room.encrypted' });
    const message = received.content.ciphertext[beaCurve] as { type: number; body: string };
    const inbound = new Olm.Session();
    inbound.create_inbound_from(bea.account, anaCurve, message.body);
    expect(inbound.decrypt(message.type, message.body)).toBe(plaintext);
    outbound.free();
    inbound.free();
  });

  it('carries a Megolm-encrypted room message between two users of this server', async () => {
    const roomId = (
      await ana.client.post(`${V3}/createRoom`, {
        preset: 'private_chat',
        invite: [bea.userId],
        initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
      })
    ).body.room_id as string;
    expect((await bea.client.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const megolm = new Olm.OutboundGroupSession();
    megolm.create();
    // The room key travels as in the previous test; here Bea's client holds it already.
    const inboundSession = new Olm.InboundGroupSession();
    inboundSession.create(megolm.session_key());
    const since = (await bea.client.get(`${V3}/sync`)).body.next_batch as string;
    const plaintext = {
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: 'a secret on one server' },
      room_id: roomId,
    };
    const anaCurve = (JSON.parse(ana.account.identity_keys()) as { curve25519: string }).curve25519;
    const sent = await ana.client.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/mg1`, {
      algorithm: 'm.megolm.v1.aes-sha2',
      sender_key: anaCurve,
      device_id: ana.deviceId,
      session_id: megolm.session_id(),
      ciphertext: megolm.encrypt(JSON.stringify(plaintext)),
    });
    expect(sent.status).toBe(200);
    const timeline = (await bea.client.get(`${V3}/sync?since=${since}&timeout=5000`)).body.rooms.join[roomId].timeline
      .events as LooseBody[];
    const event = timeline.find((e) => e.type === 'm.room.encrypted')!;
    expect(JSON.parse(inboundSession.decrypt(event.content.ciphertext as string).plaintext)).toEqual(plaintext);
    megolm.free();
    inboundSession.free();
    // The next test counts the rooms Ana and Bea share.
    expect((await bea.client.post(`${V3}/rooms/${encodeURIComponent(roomId)}/leave`, {})).status).toBe(200);
  });

  it('tells users who share a room about new and removed devices, and whom they no longer share a room with', async () => {
    const cyd = await device('cyd', 'CYDDEVICE');
    const roomId = (await ana.client.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    expect((await bea.client.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const start = (await ana.client.get(`${V3}/sync`)).body.next_batch as string;

    // Bea signs in on a new device and uploads its keys; Cyd, who shares no room with Ana, too.
    const tablet = await signIn('bea', 'BEATABLET');
    expect((await tablet.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(tablet) })).status).toBe(200);
    expect((await cyd.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(cyd) })).status).toBe(200);
    const changed = (await ana.client.get(`${V3}/sync?since=${start}&timeout=10000`)).body;
    expect(changed.device_lists).toEqual({ changed: [bea.userId], left: [] });

    // A device removed is a change too, and its keys go with it.
    expect((await tablet.client.post(`${V3}/logout`, {})).status).toBe(200);
    const removed = (await ana.client.get(`${V3}/sync?since=${changed.next_batch as string}&timeout=10000`)).body;
    expect(removed.device_lists.changed).toEqual([bea.userId]);
    const db = hs.server.app.get(DataSource);
    expect(await db.query("SELECT 1 FROM device_keys WHERE device_id = 'BEATABLET'")).toEqual([]);
    expect(await db.query('SELECT 1 FROM device_keys WHERE device_id = $1', [bea.deviceId])).toHaveLength(1);

    // Bea leaves the only room they shared: Ana should stop tracking her.
    expect((await bea.client.post(`${V3}/rooms/${encodeURIComponent(roomId)}/leave`, {})).status).toBe(200);
    const gone = (await ana.client.get(`${V3}/sync?since=${removed.next_batch as string}&timeout=10000`)).body;
    expect(gone.device_lists).toEqual({ changed: [], left: [bea.userId] });
    // /keys/changes answers the same question between any two tokens, for users shared with now
    // (spec): Bea's device changes no longer concern Ana.
    expect((await ana.client.get(`${V3}/keys/changes?from=${start}&to=${removed.next_batch as string}`)).body).toEqual({
      changed: [],
      left: [],
    });
    expect((await ana.client.get(`${V3}/keys/changes?from=${start}&to=${gone.next_batch as string}`)).body).toEqual({
      changed: [],
      left: [bea.userId],
    });
    expect((await ana.client.get(`${V3}/keys/changes?from=${start}`)).body.errcode).toBe('M_MISSING_PARAM');
    tablet.account.free();
    cyd.account.free();
  });
});
