import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import Olm from '@matrix-org/olm';
import { Client } from 'pg';
import { canonicalJson } from '@hearth/protocol';
import { readSigningKey } from '@hearth/signing';
import {
  createTestDatabase,
  eventually,
  federationRequest,
  freePort,
  HearthBuild,
  makeTestCertificate,
  usingEmbeddedFallback,
  type HearthProcess,
  type LooseBody,
  type TestCertificate,
  type TestDatabase,
} from '@hearth/testing';
import { AddressedClient } from './addressed-client';

const V3 = '/_matrix/client/v3';

/** Each device has a loopback address and a user agent of its own, that must not be kept anywhere. */
const DEVICES = {
  anaLaptop: { address: '127.0.0.2', userAgent: 'AuditLaptop/7.3.1 (X11; ana-workstation-42)' },
  anaPhone: { address: '127.0.0.3', userAgent: 'AuditPhone/2.9.4 (iOS 19; ana-pocket-17)' },
  carolTablet: { address: '127.0.0.4', userAgent: 'AuditTablet/1.0.8 (Android; carol-sofa-88)' },
  bobDesktop: { address: '127.0.0.5', userAgent: 'AuditDesktop/4.2.0 (macOS; bob-attic-63)' },
  bobWatch: { address: '127.0.0.6', userAgent: 'AuditWatch/0.1.5 (watchOS; bob-wrist-29)' },
} as const;
/** Shown to the device's owner only: other servers never get it (privacy.device_names_over_federation). */
const SECRET_DEVICE_NAME = 'Ana private phone under the pillow';

interface Server {
  readonly serverName: string;
  readonly database: TestDatabase;
  readonly dataDir: string;
  process: HearthProcess;
}

/**
 * Issue 21, item 2: a day of use from several addresses with distinctive user agents, across two
 * Hearth processes that federate (registration, logins, a failed login, messages, typing,
 * receipts, E2EE keys, one-time key claims, to-device messages, a logout), after which neither a
 * plain pg_dump of either database nor either process's logs (at debug level) hold any of the
 * addresses or user agents.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('no client addresses or user agents kept', () => {
  let hearth: HearthBuild;
  let certificate: TestCertificate;
  let a: Server;
  let b: Server;
  const clients: AddressedClient[] = [];

  const start = async (server: Omit<Server, 'process'>, extraEnv: Record<string, string> = {}) =>
    hearth.start({
      HEARTH_SERVER_NAME: server.serverName,
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_FEDERATION_LISTEN: server.serverName,
      HEARTH_TLS_CERT: certificate.certFile,
      HEARTH_TLS_KEY: certificate.keyFile,
      HEARTH_FEDERATION_VERIFY_TLS: 'false',
      HEARTH_DATA_DIR: server.dataDir,
      HEARTH_REGISTRATION: 'open',
      HEARTH_LOG_LEVEL: 'debug',
      DATABASE_URL: server.database.url as string,
      ...extraEnv,
    });

  const newServer = async (): Promise<Server> => {
    const server = {
      serverName: `127.0.0.1:${await freePort()}`,
      database: await createTestDatabase(),
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-privacy-')),
    };
    expect(hearth.run(['migrate'], { DATABASE_URL: server.database.url as string }).status).toBe(0);
    return { ...server, process: await start(server) };
  };

  const client = (server: Server, device: keyof typeof DEVICES) => {
    const made = new AddressedClient(server.process.url, DEVICES[device].address, DEVICES[device].userAgent);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    await Olm.init();
    hearth = new HearthBuild();
    certificate = makeTestCertificate();
    [a, b] = await Promise.all([newServer(), newServer()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const server of [a, b]) {
      await server?.process.stop();
      await server?.database.drop();
      if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
    }
    hearth?.remove();
  });

  it('connects from the address and with the user agent it names (the probe is real)', async () => {
    const seen = await new Promise<{ address: string | undefined; userAgent: string | undefined }>((resolve) => {
      const probe = http.createServer((request, response) => {
        resolve({ address: request.socket.remoteAddress, userAgent: request.headers['user-agent'] });
        response.end('{}');
        probe.close();
      });
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        const { address, userAgent } = DEVICES.carolTablet;
        const prober = new AddressedClient(`http://127.0.0.1:${port}`, address, userAgent);
        clients.push(prober);
        void prober.get('/');
      });
    });
    expect(seen).toEqual({ address: DEVICES.carolTablet.address, userAgent: DEVICES.carolTablet.userAgent });
  });

  it('keeps none of them in either database or either log after a day of use', async () => {
    await aDayOfUse(a, b, client);
    expect(await deviceNamesShownTo(b, a)).toEqual([]);

    const dumps = [a, b].map((server) =>
      execFileSync('pg_dump', ['--no-owner', '--dbname', server.database.url as string], {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      }),
    );
    await Promise.all([a, b].map((server) => server.process.stop()));
    const logs = [a, b].map((server) => server.process.output());

    // What was done is there: the dumps hold the messages, the logs the requests.
    expect(dumps[0]).toContain('the quarterly numbers are in');
    expect(dumps[1]).toContain('the quarterly numbers are in');
    expect(logs[0]).toContain('"path":"/_matrix/client/v3/login"');
    expect(logs[1]).toContain('/_matrix/federation/v1/send/');
    // ... and nothing of where it came from or with what.
    const traces = Object.values(DEVICES).flatMap((device) => [device.address, device.userAgent]);
    const found = [
      ...['database A', 'database B'].flatMap((where, i) => tracesIn(dumps[i] as string, traces, where)),
      ...['log of A', 'log of B'].flatMap((where, i) => tracesIn(logs[i] as string, traces, where)),
    ];
    expect(found).toEqual([]);
    expect(dumps[1]).not.toContain(SECRET_DEVICE_NAME);
    expect(dumps[0]).toContain(SECRET_DEVICE_NAME);
    expect(await deviceTimesOffTheDay(a.database)).toEqual([]);
  }, 180_000);

  it('logs addresses and user agents only when the operator turns privacy.log_client_ips and log_user_agents on', async () => {
    a.process = await start(a, { HEARTH_LOG_CLIENT_IPS: 'true', HEARTH_LOG_USER_AGENTS: 'true' });
    const watch = client(a, 'bobWatch');
    expect((await watch.get('/_matrix/client/versions')).status).toBe(200);
    await a.process.stop();
    expect(a.process.output()).toContain(DEVICES.bobWatch.address);
    expect(a.process.output()).toContain(DEVICES.bobWatch.userAgent);
  }, 60_000);
});

/** What `asker` gets of Ana's device names when it asks `owner` over federation, as any server may. */
async function deviceNamesShownTo(asker: Server, owner: Server): Promise<string[]> {
  const anaId = `@ana:${owner.serverName}`;
  const signing = {
    origin: asker.serverName,
    key: readSigningKey(path.join(asker.dataDir, `${asker.serverName.replace(/[:[\]]/g, '_')}.signing.key`)),
    destination: owner.serverName,
  };
  const base = `https://${owner.serverName}`;
  const devices = await federationRequest(
    base,
    'GET',
    `/_matrix/federation/v1/user/devices/${encodeURIComponent(anaId)}`,
    undefined,
    signing,
  );
  const keys = await federationRequest(
    base,
    'POST',
    '/_matrix/federation/v1/user/keys/query',
    { device_keys: { [anaId]: [] } },
    signing,
  );
  expect([devices.status, keys.status]).toEqual([200, 200]);
  expect((devices.body.devices as Array<{ device_id: string }>).map((device) => device.device_id).sort()).toEqual([
    'ANALAPTOP',
    'ANAPHONE',
  ]);
  const answers = JSON.stringify([devices.body, keys.body]);
  return ['device_display_name', SECRET_DEVICE_NAME].filter((name) => answers.includes(name));
}

/** Device times that say more than the day (privacy.device_last_seen_resolution_seconds). */
async function deviceTimesOffTheDay(database: TestDatabase): Promise<string[]> {
  const client = new Client({ connectionString: database.url as string });
  await client.connect();
  try {
    const { rows } = await client.query<{ device_id: string }>(
      'SELECT device_id FROM devices WHERE created_ts % 86400000 <> 0 OR last_seen_ts % 86400000 <> 0',
    );
    return rows.map((row) => row.device_id);
  } finally {
    await client.end();
  }
}

function tracesIn(text: string, traces: readonly string[], where: string): string[] {
  return traces.filter((trace) => text.includes(trace)).map((trace) => `${where} holds ${trace}`);
}

type ClientFor = (server: Server, device: keyof typeof DEVICES) => AddressedClient;

/** What a few people do in a day, on two servers, from five devices. */
async function aDayOfUse(a: Server, b: Server, client: ClientFor): Promise<void> {
  const ana = { userId: `@ana:${a.serverName}` };
  const bob = { userId: `@bob:${b.serverName}` };
  const anaLaptop = await registered(client(a, 'anaLaptop'), 'ana', { device_id: 'ANALAPTOP' });
  const anaPhone = await loggedIn(client(a, 'anaPhone'), 'ana', {
    device_id: 'ANAPHONE',
    initial_device_display_name: SECRET_DEVICE_NAME,
  });
  const carol = await registered(client(a, 'carolTablet'), 'carol', { device_id: 'CAROLTAB' });
  const bobDesktop = await registered(client(b, 'bobDesktop'), 'bob', { device_id: 'BOBDESK' });
  const watchAnonymous = client(b, 'bobWatch');
  expect((await watchAnonymous.loginPassword('bob', 'wrong password')).status).toBe(403);
  const bobWatch = await loggedIn(watchAnonymous, 'bob', { device_id: 'BOBWATCH' });

  const olm = new Map<AddressedClient, Olm.Account>();
  const devices: Array<[AddressedClient, string, string]> = [
    [anaLaptop, ana.userId, 'ANALAPTOP'],
    [anaPhone, ana.userId, 'ANAPHONE'],
    [carol, `@carol:${a.serverName}`, 'CAROLTAB'],
    [bobDesktop, bob.userId, 'BOBDESK'],
    [bobWatch, bob.userId, 'BOBWATCH'],
  ];
  for (const [device, userId, deviceId] of devices) olm.set(device, await uploadKeys(device, userId, deviceId));

  const roomId = (
    await anaLaptop.post(`${V3}/createRoom`, {
      preset: 'private_chat',
      name: 'Quarterly planning',
      invite: [bob.userId, `@carol:${a.serverName}`],
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    })
  ).body.room_id as string;
  expect(roomId).toBeDefined();
  expect((await carol.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
  await eventually(
    async () => ((await bobDesktop.get(`${V3}/sync?timeout=0`)).body.rooms?.invite?.[roomId] ? true : undefined),
    'the invite on B',
    20_000,
  );
  expect((await bobDesktop.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);

  await anaPhone.put(`/_matrix/client/v3/profile/${encodeURIComponent(ana.userId)}/displayname`, {
    displayname: 'Ana',
  });
  await anaLaptop.put(`${V3}/user/${encodeURIComponent(ana.userId)}/account_data/m.direct`, { [bob.userId]: [roomId] });
  await send(anaLaptop, roomId, 'the quarterly numbers are in', 'a1');
  await send(carol, roomId, 'thanks, reading now', 'c1');
  await send(bobDesktop, roomId, 'looks good from here', 'b1');
  await anaPhone.put(`${V3}/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(ana.userId)}`, {
    typing: true,
    timeout: 5000,
  });
  const lastFromB = await eventually(async () => {
    const events = (await anaPhone.get(`${V3}/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`)).body
      .chunk as LooseBody[];
    return events.find((event) => event.sender === bob.userId && event.type === 'm.room.message')?.event_id as
      string | undefined;
  }, "Bob's message on A");
  await anaPhone.post(`${V3}/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(lastFromB)}`, {});

  // E2EE: Bob finds Ana's devices and claims a one-time key through B, which asks A; then both
  // send to-device messages, across servers and within one.
  const keys = await bobDesktop.post(`${V3}/keys/query`, { device_keys: { [ana.userId]: [] } });
  expect(Object.keys(keys.body.device_keys[ana.userId] ?? {}).sort()).toEqual(['ANALAPTOP', 'ANAPHONE']);
  const claimed = await bobDesktop.post(`${V3}/keys/claim`, {
    one_time_keys: { [ana.userId]: { ANAPHONE: 'signed_curve25519' } },
  });
  expect(Object.keys(claimed.body.one_time_keys[ana.userId]?.ANAPHONE ?? {})).toHaveLength(1);
  const encrypted = (from: AddressedClient) => ({
    algorithm: 'm.olm.v1.curve25519-aes-sha2',
    sender_key: JSON.parse((olm.get(from) as Olm.Account).identity_keys()).curve25519,
    ciphertext: { placeholder: { type: 0, body: 'AwogAuditCiphertext' } },
  });
  await bobDesktop.put(`${V3}/sendToDevice/m.room.encrypted/bob-td-1`, {
    messages: { [ana.userId]: { ANAPHONE: encrypted(bobDesktop) } },
  });
  await anaLaptop.put(`${V3}/sendToDevice/m.room.encrypted/ana-td-1`, {
    messages: { [ana.userId]: { ANAPHONE: encrypted(anaLaptop) } },
  });
  await eventually(async () => {
    const toDevice = (await anaPhone.get(`${V3}/sync?timeout=0`)).body.to_device?.events as LooseBody[] | undefined;
    return (toDevice ?? []).some((event) => event.sender === bob.userId) ? true : undefined;
  }, "Bob's to-device message on Ana's phone");

  await eventually(async () => {
    const events = (await bobWatch.get(`${V3}/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`)).body
      .chunk as LooseBody[] | undefined;
    return (events ?? []).some((event) => event.content?.body === 'thanks, reading now') ? true : undefined;
  }, "Carol's message on B");
  expect((await bobWatch.post(`${V3}/logout`, {})).status).toBe(200);
  for (const account of olm.values()) account.free();
}

async function registered(device: AddressedClient, name: string, extra: LooseBody): Promise<AddressedClient> {
  const res = await device.registerOpen(name, 'correct horse', extra);
  expect(res.status).toBe(200);
  return device.withToken(res.body.access_token as string);
}

async function loggedIn(device: AddressedClient, name: string, extra: LooseBody): Promise<AddressedClient> {
  const res = await device.loginPassword(name, 'correct horse', extra);
  expect(res.status).toBe(200);
  return device.withToken(res.body.access_token as string);
}

async function send(device: AddressedClient, roomId: string, body: string, txnId: string): Promise<void> {
  const res = await device.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`, {
    msgtype: 'm.text',
    body,
  });
  expect(res.status).toBe(200);
}

async function uploadKeys(device: AddressedClient, userId: string, deviceId: string): Promise<Olm.Account> {
  const account = new Olm.Account();
  account.create();
  const identity = JSON.parse(account.identity_keys()) as { curve25519: string; ed25519: string };
  const signed = <T extends Record<string, unknown>>(object: T) => ({
    ...object,
    signatures: { [userId]: { [`ed25519:${deviceId}`]: account.sign(canonicalJson(object)) } },
  });
  account.generate_one_time_keys(3);
  const { curve25519 } = JSON.parse(account.one_time_keys()) as { curve25519: Record<string, string> };
  account.mark_keys_as_published();
  const res = await device.post(`${V3}/keys/upload`, {
    device_keys: signed({
      user_id: userId,
      device_id: deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: { [`curve25519:${deviceId}`]: identity.curve25519, [`ed25519:${deviceId}`]: identity.ed25519 },
    }),
    one_time_keys: Object.fromEntries(
      Object.entries(curve25519).map(([id, key]) => [`signed_curve25519:${id}`, signed({ key })]),
    ),
  });
  expect(res.status).toBe(200);
  return account;
}
