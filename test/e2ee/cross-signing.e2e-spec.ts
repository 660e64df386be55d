import Olm from '@matrix-org/olm';
import { canonicalJson } from '@hearth/protocol';
import { startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SERVER = 'xsign.example';

/** A user with one device (an Olm account) and three cross-signing keys (Olm PkSigning), as Element keeps them. */
interface User {
  readonly userId: string;
  readonly deviceId: string;
  readonly client: TestClient;
  readonly device: Olm.Account;
  readonly master: { signing: Olm.PkSigning; publicKey: string };
  readonly selfSigning: { signing: Olm.PkSigning; publicKey: string };
  readonly userSigning: { signing: Olm.PkSigning; publicKey: string };
}

describe('cross-signing: signing keys and signatures, every one checked', () => {
  let hs: TestHomeserver;
  let ana: User;
  let bea: User;

  const pkKey = () => {
    const signing = new Olm.PkSigning();
    const publicKey = signing.init_with_seed(
      new Uint8Array(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))),
    );
    return { signing, publicKey };
  };
  const sign = (object: Record<string, unknown>, signer: string, keyId: string, sig: (message: string) => string) => {
    const {
      signatures,
      unsigned: _unsigned,
      ...rest
    } = object as { signatures?: Record<string, Record<string, string>>; unsigned?: unknown };
    return {
      ...rest,
      signatures: {
        ...(signatures ?? {}),
        [signer]: { ...(signatures?.[signer] ?? {}), [keyId]: sig(canonicalJson(rest)) },
      },
    };
  };
  const crossSigningKey = (user: User, usage: string, key: { publicKey: string }) => ({
    user_id: user.userId,
    usage: [usage],
    keys: { [`ed25519:${key.publicKey}`]: key.publicKey },
  });
  const signedBy = (user: User, by: { signing: Olm.PkSigning; publicKey: string }, object: Record<string, unknown>) =>
    sign(object, user.userId, `ed25519:${by.publicKey}`, (message) => by.signing.sign(message));
  const deviceKeys = (user: User) => {
    const identity = JSON.parse(user.device.identity_keys()) as { curve25519: string; ed25519: string };
    const keys = {
      user_id: user.userId,
      device_id: user.deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: { [`curve25519:${user.deviceId}`]: identity.curve25519, [`ed25519:${user.deviceId}`]: identity.ed25519 },
    };
    return sign(keys, user.userId, `ed25519:${user.deviceId}`, (message) => user.device.sign(message));
  };

  const newUser = async (name: string): Promise<User> => {
    const deviceId = `${name.toUpperCase()}DEVICE`;
    const res = await new TestClient(hs.url).registerOpen(name, 'pw', { device_id: deviceId });
    expect(res.status).toBe(200);
    const device = new Olm.Account();
    device.create();
    const user: User = {
      userId: `@${name}:${SERVER}`,
      deviceId,
      client: new TestClient(hs.url, res.body.access_token as string),
      device,
      master: pkKey(),
      selfSigning: pkKey(),
      userSigning: pkKey(),
    };
    expect((await user.client.post(`${V3}/keys/upload`, { device_keys: deviceKeys(user) })).status).toBe(200);
    return user;
  };
  const uploadSigningKeys = (user: User, body: Record<string, unknown>) =>
    user.client.post(`${V3}/keys/device_signing/upload`, body);
  const fullUpload = (user: User) => ({
    master_key: crossSigningKey(user, 'master', user.master),
    self_signing_key: signedBy(user, user.master, crossSigningKey(user, 'self_signing', user.selfSigning)),
    user_signing_key: signedBy(user, user.master, crossSigningKey(user, 'user_signing', user.userSigning)),
  });

  beforeAll(async () => {
    await Olm.init();
    hs = await startTestHomeserver({ config: { server_name: SERVER, registration: 'open' } });
    ana = await newUser('ana');
    bea = await newUser('bea');
  });
  afterAll(async () => {
    for (const user of [ana, bea]) {
      user?.device.free();
      for (const key of [user?.master, user?.selfSigning, user?.userSigning]) key?.signing.free();
    }
    await hs.destroy();
  });

  it('refuses a self-signing key the master key did not sign', async () => {
    const impostor = pkKey();
    const res = await uploadSigningKeys(ana, {
      master_key: crossSigningKey(ana, 'master', ana.master),
      self_signing_key: signedBy(ana, impostor, crossSigningKey(ana, 'self_signing', ana.selfSigning)),
    });
    impostor.signing.free();
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_INVALID_SIGNATURE');
    expect(
      (await uploadSigningKeys(ana, { master_key: { user_id: bea.userId, usage: ['master'], keys: {} } })).body.errcode,
    ).toBe('M_INVALID_PARAM');
  });

  it('takes the first upload without authentication, and asks for it before keys are replaced', async () => {
    expect((await uploadSigningKeys(ana, fullUpload(ana))).status).toBe(200);
    expect((await uploadSigningKeys(ana, fullUpload(ana))).status).toBe(200);

    const replacement = pkKey();
    const body = { master_key: crossSigningKey(ana, 'master', replacement) };
    const challenge = await uploadSigningKeys(ana, body);
    expect(challenge.status).toBe(401);
    expect(challenge.body.flows).toEqual([{ stages: ['m.login.password'] }]);
    const replaced = await uploadSigningKeys(ana, {
      ...body,
      auth: {
        type: 'm.login.password',
        session: challenge.body.session,
        identifier: { type: 'm.id.user', user: 'ana' },
        password: 'pw',
      },
    });
    expect(replaced.status).toBe(200);
    replacement.signing.free();
    // Back to the original keys for the rest of the tests.
    const again = await uploadSigningKeys(ana, fullUpload(ana));
    const restored = await uploadSigningKeys(ana, {
      ...fullUpload(ana),
      auth: {
        type: 'm.login.password',
        session: again.body.session,
        identifier: { type: 'm.id.user', user: 'ana' },
        password: 'pw',
      },
    });
    expect(restored.status).toBe(200);
  });

  it('stores a device signature by the self-signing key, and reports a forged one without storing it', async () => {
    const device = signedBy(ana, ana.selfSigning, deviceKeys(ana));
    const forged = signedBy(ana, ana.userSigning, deviceKeys(ana));
    const good = await ana.client.post(`${V3}/keys/signatures/upload`, { [ana.userId]: { [ana.deviceId]: device } });
    expect(good.body).toEqual({ failures: {} });

    const bad = await bea.client.post(`${V3}/keys/device_signing/upload`, fullUpload(bea));
    expect(bad.status).toBe(200);
    const forgedRes = await ana.client.post(`${V3}/keys/signatures/upload`, {
      [ana.userId]: {
        [ana.deviceId]: {
          ...forged,
          signatures: { [ana.userId]: { [`ed25519:${ana.selfSigning.publicKey}`]: 'AAAA' } },
        },
      },
    });
    expect(forgedRes.body.failures[ana.userId][ana.deviceId].errcode).toBe('M_INVALID_SIGNATURE');

    const query = await bea.client.post(`${V3}/keys/query`, { device_keys: { [ana.userId]: [] } });
    const signatures = query.body.device_keys[ana.userId][ana.deviceId].signatures[ana.userId] as Record<
      string,
      string
    >;
    expect(Object.keys(signatures).sort()).toEqual(
      [`ed25519:${ana.deviceId}`, `ed25519:${ana.selfSigning.publicKey}`].sort(),
    );
    expect(signatures[`ed25519:${ana.selfSigning.publicKey}`]).toBe(
      (device.signatures[ana.userId] as Record<string, string>)[`ed25519:${ana.selfSigning.publicKey}`],
    );
  });

  it('serves master and self-signing keys to everyone, the user-signing key only to its owner', async () => {
    const byBea = await bea.client.post(`${V3}/keys/query`, { device_keys: { [ana.userId]: [], [bea.userId]: [] } });
    expect(byBea.body.master_keys[ana.userId].keys).toEqual({
      [`ed25519:${ana.master.publicKey}`]: ana.master.publicKey,
    });
    expect(byBea.body.self_signing_keys[ana.userId].usage).toEqual(['self_signing']);
    expect(Object.keys(byBea.body.user_signing_keys)).toEqual([bea.userId]);
  });

  it('stores a signature over another user’s master key by the user-signing key, shown only to the signer', async () => {
    const beaMaster = signedBy(ana, ana.userSigning, crossSigningKey(bea, 'master', bea.master));
    const res = await ana.client.post(`${V3}/keys/signatures/upload`, {
      [bea.userId]: { [bea.master.publicKey]: beaMaster },
    });
    expect(res.body).toEqual({ failures: {} });
    const byAna = await ana.client.post(`${V3}/keys/query`, { device_keys: { [bea.userId]: [] } });
    expect(byAna.body.master_keys[bea.userId].signatures[ana.userId]).toEqual({
      [`ed25519:${ana.userSigning.publicKey}`]: expect.any(String),
    });
    const byBea = await bea.client.post(`${V3}/keys/query`, { device_keys: { [bea.userId]: [] } });
    expect(byBea.body.master_keys[bea.userId].signatures?.[ana.userId]).toBeUndefined();

    const wrongKey = await ana.client.post(`${V3}/keys/signatures/upload`, {
      [bea.userId]: {
        [bea.master.publicKey]: signedBy(ana, ana.selfSigning, crossSigningKey(bea, 'master', bea.master)),
      },
    });
    expect((wrongKey.body.failures as LooseBody)[bea.userId][bea.master.publicKey].errcode).toBe('M_INVALID_SIGNATURE');
  });

  it('stores a signature over one’s own master key by one’s device', async () => {
    const master = sign(crossSigningKey(ana, 'master', ana.master), ana.userId, `ed25519:${ana.deviceId}`, (message) =>
      ana.device.sign(message),
    );
    expect(
      (await ana.client.post(`${V3}/keys/signatures/upload`, { [ana.userId]: { [ana.master.publicKey]: master } }))
        .body,
    ).toEqual({ failures: {} });
    const query = await bea.client.post(`${V3}/keys/query`, { device_keys: { [ana.userId]: [] } });
    expect(Object.keys(query.body.master_keys[ana.userId].signatures[ana.userId] as object)).toEqual([
      `ed25519:${ana.deviceId}`,
    ]);
  });
});
