import Olm from '@matrix-org/olm';
import { canonicalJson } from '@hearth/protocol';
import {
  eventually,
  makeTestCertificate,
  startFederatingHomeserver,
  TestClient,
  type FederatingHomeserver,
  type LooseBody,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/** A device as a real client keeps it: an Olm account and the access token of its login. */
interface Device {
  readonly userId: string;
  readonly deviceId: string;
  readonly client: TestClient;
  readonly account: Olm.Account;
  readonly identity: { curve25519: string; ed25519: string };
}

/**
 * Alice on Hearth A and Bob on Hearth B with real Olm: Alice finds Bob's keys and claims a
 * one-time key through her own server, which asks Bob's over federation; she opens an Olm session,
 * sends the room key as an encrypted to-device message across, and then a Megolm-encrypted
 * message in a room both servers are in; Bob decrypts both from his /sync on B.
 */
describe('end-to-end encryption across two servers with real Olm clients', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: Device;
  let bob: Device;
  let roomId: string;

  const device = async (
    server: FederatingHomeserver,
    name: string,
    deviceId: string,
    register: boolean,
  ): Promise<Device> => {
    const anonymous = new TestClient(server.url);
    const res = register
      ? await anonymous.registerOpen(name, 'pw', { device_id: deviceId })
      : await anonymous.loginPassword(name, 'pw', { device_id: deviceId });
    expect(res.status).toBe(200);
    const account = new Olm.Account();
    account.create();
    const identity = JSON.parse(account.identity_keys()) as { curve25519: string; ed25519: string };
    return {
      userId: `@${name}:${server.serverName}`,
      deviceId,
      client: new TestClient(server.url, res.body.access_token as string),
      account,
      identity,
    };
  };
  const signed = <T extends Record<string, unknown>>(owner: Device, object: T) => ({
    ...object,
    signatures: { [owner.userId]: { [`ed25519:${owner.deviceId}`]: owner.account.sign(canonicalJson(object)) } },
  });
  const uploadKeys = async (owner: Device, oneTimeKeyCount: number) => {
    owner.account.generate_one_time_keys(oneTimeKeyCount);
    const { curve25519 } = JSON.parse(owner.account.one_time_keys()) as { curve25519: Record<string, string> };
    owner.account.mark_keys_as_published();
    const res = await owner.client.post(`${V3}/keys/upload`, {
      device_keys: signed(owner, {
        user_id: owner.userId,
        device_id: owner.deviceId,
        algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
        keys: {
          [`curve25519:${owner.deviceId}`]: owner.identity.curve25519,
          [`ed25519:${owner.deviceId}`]: owner.identity.ed25519,
        },
      }),
      one_time_keys: Object.fromEntries(
        Object.entries(curve25519).map(([id, key]) => [`signed_curve25519:${id}`, signed(owner, { key })]),
      ),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    await Olm.init();
    const certificate = makeTestCertificate();
    [a, b] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open' }),
      startFederatingHomeserver(certificate, { registration: 'open' }),
    ]);
    alice = await device(a, 'alice', 'ALICEPHONE', true);
    bob = await device(b, 'bob', 'BOBLAPTOP', true);
    await uploadKeys(alice, 5);
    await uploadKeys(bob, 5);
    roomId = (
      await alice.client.post(`${V3}/createRoom`, {
        preset: 'private_chat',
        invite: [bob.userId],
        initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
      })
    ).body.room_id;
    await eventually(
      async () => ((await bob.client.get(`${V3}/sync?timeout=0`)).body.rooms?.invite?.[roomId] ? true : undefined),
      'the invite on B',
    );
    expect((await bob.client.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
  });

  afterAll(async () => {
    for (const owner of [alice, bob]) owner?.account.free();
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  let olmSessionKey: string;
  let megolm: Olm.OutboundGroupSession;
  /** The Megolm session key as Bob decrypted it from the to-device message. */
  let bobsRoomKey: string;

  it('finds the other server’s user’s device keys through the user’s own server', async () => {
    const res = await alice.client.post(`${V3}/keys/query`, { device_keys: { [bob.userId]: [] } });
    expect(res.status).toBe(200);
    expect(res.body.failures).toEqual({});
    const keys = res.body.device_keys[bob.userId][bob.deviceId];
    expect(keys.keys[`curve25519:${bob.deviceId}`]).toBe(bob.identity.curve25519);
    expect(keys.keys[`ed25519:${bob.deviceId}`]).toBe(bob.identity.ed25519);
  });

  it('claims a one-time key of the other server’s user, signed by their device', async () => {
    const res = await alice.client.post(`${V3}/keys/claim`, {
      one_time_keys: { [bob.userId]: { [bob.deviceId]: 'signed_curve25519' } },
    });
    expect(res.status).toBe(200);
    const [keyId, key] = Object.entries(
      res.body.one_time_keys[bob.userId][bob.deviceId] as Record<string, LooseBody>,
    )[0]!;
    expect(keyId).toMatch(/^signed_curve25519:/);
    const { signatures, ...unsigned } = key;
    const utility = new Olm.Utility();
    expect(() =>
      utility.ed25519_verify(
        bob.identity.ed25519,
        canonicalJson(unsigned),
        signatures[bob.userId][`ed25519:${bob.deviceId}`] as string,
      ),
    ).not.toThrow();
    utility.free();
    olmSessionKey = key.key as string;
  });

  it('sends the room key Olm-encrypted as a to-device message that the other server delivers', async () => {
    megolm = new Olm.OutboundGroupSession();
    megolm.create();
    const session = new Olm.Session();
    session.create_outbound(alice.account, bob.identity.curve25519, olmSessionKey);
    const payload = {
      type: 'm.room_key',
      content: {
        algorithm: 'm.megolm.v1.aes-sha2',
        room_id: roomId,
        session_id: megolm.session_id(),
        session_key: megolm.session_key(),
      },
      sender: alice.userId,
      recipient: bob.userId,
      recipient_keys: { ed25519: bob.identity.ed25519 },
      keys: { ed25519: alice.identity.ed25519 },
    };
    const ciphertext = session.encrypt(JSON.stringify(payload));
    session.free();
    const since = (await bob.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    const sent = await alice.client.put(`${V3}/sendToDevice/m.room.encrypted/key-1`, {
      messages: {
        [bob.userId]: {
          [bob.deviceId]: {
            algorithm: 'm.olm.v1.curve25519-aes-sha2',
            sender_key: alice.identity.curve25519,
            ciphertext: { [bob.identity.curve25519]: ciphertext },
          },
        },
      },
    });
    expect(sent.status).toBe(200);

    const message = await eventually(async () => {
      const events = ((await bob.client.get(`${V3}/sync?timeout=0&since=${since}`)).body.to_device?.events ??
        []) as LooseBody[];
      return events.find((e) => e.type === 'm.room.encrypted');
    }, 'the to-device message on B');
    expect(message.sender).toBe(alice.userId);
    const body = message.content.ciphertext[bob.identity.curve25519] as { type: number; body: string };
    const inbound = new Olm.Session();
    inbound.create_inbound(bob.account, body.body);
    bob.account.remove_one_time_keys(inbound);
    const decrypted = JSON.parse(inbound.decrypt(body.type, body.body)) as typeof payload;
    inbound.free();
    expect(decrypted.type).toBe('m.room_key');
    expect(decrypted.content.session_key).toBe(payload.content.session_key);
    bobsRoomKey = decrypted.content.session_key;
  });

  it('carries a Megolm-encrypted room message that the other server’s user decrypts from sync', async () => {
    const since = (await bob.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    const plaintext = {
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: 'a secret across servers' },
      room_id: roomId,
    };
    const sent = await alice.client.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/m-1`, {
      algorithm: 'm.megolm.v1.aes-sha2',
      sender_key: alice.identity.curve25519,
      device_id: alice.deviceId,
      session_id: megolm.session_id(),
      ciphertext: megolm.encrypt(JSON.stringify(plaintext)),
    });
    expect(sent.status).toBe(200);
    const event = await eventually(async () => {
      const timeline = ((await bob.client.get(`${V3}/sync?timeout=0&since=${since}`)).body.rooms?.join?.[roomId]
        ?.timeline?.events ?? []) as LooseBody[];
      return timeline.find((e) => e.type === 'm.room.encrypted');
    }, 'the encrypted event on B');
    const inbound = new Olm.InboundGroupSession();
    inbound.create(bobsRoomKey);
    const { plaintext: decrypted } = inbound.decrypt(event.content.ciphertext as string);
    inbound.free();
    expect(JSON.parse(decrypted)).toEqual(plaintext);
    megolm.free();
  });

  it('shows the other server’s user’s cross-signing keys and tells of their change', async () => {
    const since = (await alice.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    const master = new Olm.PkSigning();
    const masterPublic = master.init_with_seed(new Uint8Array(32).fill(7));
    const upload = await bob.client.post(`${V3}/keys/device_signing/upload`, {
      master_key: { user_id: bob.userId, usage: ['master'], keys: { [`ed25519:${masterPublic}`]: masterPublic } },
    });
    master.free();
    expect(upload.status).toBe(200);
    await eventually(async () => {
      const lists = (await alice.client.get(`${V3}/sync?timeout=0&since=${since}`)).body.device_lists as
        LooseBody | undefined;
      return (lists?.changed as string[] | undefined)?.includes(bob.userId) ? true : undefined;
    }, 'bob’s signing-key change in alice’s sync');
    const keys = await alice.client.post(`${V3}/keys/query`, { device_keys: { [bob.userId]: [] } });
    expect(keys.body.master_keys[bob.userId].keys).toEqual({ [`ed25519:${masterPublic}`]: masterPublic });
  });

  it('tells the user on A when the user on B adds a device', async () => {
    const since = (await alice.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    const second = await device(b, 'bob', 'BOBPHONE', false);
    await uploadKeys(second, 1);
    const changed = await eventually(async () => {
      const lists = (await alice.client.get(`${V3}/sync?timeout=0&since=${since}`)).body.device_lists as
        LooseBody | undefined;
      return (lists?.changed as string[] | undefined)?.includes(bob.userId) ? true : undefined;
    }, 'bob in alice’s device_lists.changed');
    expect(changed).toBe(true);
    const keys = await alice.client.post(`${V3}/keys/query`, { device_keys: { [bob.userId]: [] } });
    expect(Object.keys(keys.body.device_keys[bob.userId]).sort()).toEqual(['BOBLAPTOP', 'BOBPHONE']);
    second.account.free();
  });
  it('tells the user on A when the user on B removes a device, naming it', async () => {
    const tablet = await device(b, 'bob', 'BOBTABLET', false);
    await uploadKeys(tablet, 1);
    const changedSince = (since: string) =>
      eventually(async () => {
        const lists = (await alice.client.get(`${V3}/sync?timeout=0&since=${since}`)).body.device_lists as
          LooseBody | undefined;
        return (lists?.changed as string[] | undefined)?.includes(bob.userId) ? true : undefined;
      }, 'bob in alice’s device_lists.changed');
    const beforeAdd = (await alice.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    expect(await changedSince(beforeAdd)).toBe(true);
    const since = (await alice.client.get(`${V3}/sync?timeout=0`)).body.next_batch as string;
    expect((await tablet.client.post(`${V3}/logout`, {})).status).toBe(200);
    // A refuses an m.device_list_update without a device_id: before the fix the removal went out without one.
    expect(await changedSince(since)).toBe(true);
    const keys = await alice.client.post(`${V3}/keys/query`, { device_keys: { [bob.userId]: [] } });
    expect(Object.keys(keys.body.device_keys[bob.userId])).not.toContain('BOBTABLET');
    tablet.account.free();
  });
});
