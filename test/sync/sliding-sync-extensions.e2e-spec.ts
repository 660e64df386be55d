import Olm from '@matrix-org/olm';
import { canonicalJson } from '@hearth/protocol';
import { startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
const SERVER = 'ext.example';

/** Sliding sync's extensions (to_device, e2ee, account_data, receipts, typing) with raw requests. */
describe('sliding sync extensions', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let olm: Olm.Account;
  const ANA = `@ana:${SERVER}`;
  const BEA = `@bea:${SERVER}`;
  const slide = async (client: TestClient, body: LooseBody, query = '') => {
    const res = await client.post(`${SLIDING}${query}`, body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const signIn = async (name: string, deviceId: string) => {
    expect((await new TestClient(hs.url).registerOpen(name, 'pw', { device_id: deviceId })).status).toBe(200);
    const login = await new TestClient(hs.url).loginPassword(name, 'pw', { device_id: deviceId });
    return new TestClient(hs.url, login.body.access_token as string);
  };
  const enc = encodeURIComponent;

  beforeAll(async () => {
    await Olm.init();
    hs = await startTestHomeserver({ config: { server_name: SERVER, registration: 'open' } });
    ana = await signIn('ana', 'ANADEV');
    bea = await signIn('bea', 'BEADEV');
    olm = new Olm.Account();
    olm.create();
  });
  afterAll(async () => {
    olm?.free();
    await hs.destroy();
  });

  it('to_device: delivers messages after its own since and acknowledges with it', async () => {
    const ext = (since?: string) => ({ extensions: { to_device: { enabled: true, ...(since ? { since } : {}) } } });
    const first = await slide(bea, ext());
    expect(first.extensions.to_device).toEqual({ next_batch: expect.any(String), events: [] });
    await ana.put(`${V3}/sendToDevice/org.example.ping/t1`, { messages: { [BEA]: { BEADEV: { n: 1 } } } });
    const got = await slide(bea, ext(first.extensions.to_device.next_batch), `?pos=${first.pos}`);
    expect(got.extensions.to_device.events).toEqual([{ sender: ANA, type: 'org.example.ping', content: { n: 1 } }]);
    // Asked again from the old since, the message comes again (not acknowledged); from the new one, never.
    const again = await slide(bea, ext(first.extensions.to_device.next_batch), `?pos=${got.pos}`);
    expect(again.extensions.to_device.events).toHaveLength(1);
    const acked = await slide(bea, ext(got.extensions.to_device.next_batch), `?pos=${again.pos}&timeout=50`);
    expect(acked.extensions.to_device.events).toEqual([]);
  });

  it('e2ee: one-time key counts, fallback key types and device-list changes', async () => {
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    expect((await bea.post(`${V3}/join/${enc(roomId)}`, {})).status).toBe(200);
    const e2ee = { extensions: { e2ee: { enabled: true } } };
    const first = await slide(ana, e2ee);
    const beaFirst = await slide(bea, e2ee);
    expect(first.extensions.e2ee).toEqual({
      device_lists: { changed: [], left: [] },
      device_one_time_keys_count: {},
      device_unused_fallback_key_types: [],
    });
    olm.generate_one_time_keys(3);
    const { curve25519 } = JSON.parse(olm.one_time_keys()) as { curve25519: Record<string, string> };
    olm.generate_fallback_key();
    const fallback = JSON.parse(olm.unpublished_fallback_key()) as { curve25519: Record<string, string> };
    const sign = (object: Record<string, unknown>) => ({
      ...object,
      signatures: { [ANA]: { 'ed25519:ANADEV': olm.sign(canonicalJson(object)) } },
    });
    const identity = JSON.parse(olm.identity_keys()) as { curve25519: string; ed25519: string };
    const upload = await ana.post(`${V3}/keys/upload`, {
      device_keys: sign({
        user_id: ANA,
        device_id: 'ANADEV',
        algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
        keys: { 'curve25519:ANADEV': identity.curve25519, 'ed25519:ANADEV': identity.ed25519 },
      }),
      one_time_keys: Object.fromEntries(
        Object.entries(curve25519).map(([id, key]) => [`signed_curve25519:${id}`, sign({ key })]),
      ),
      fallback_keys: Object.fromEntries(
        Object.entries(fallback.curve25519).map(([id, key]) => [
          `signed_curve25519:${id}`,
          sign({ key, fallback: true }),
        ]),
      ),
    });
    expect(upload.status).toBe(200);
    const counts = await slide(ana, e2ee, `?pos=${first.pos}`);
    expect(counts.extensions.e2ee.device_one_time_keys_count).toEqual({ signed_curve25519: 3 });
    expect(counts.extensions.e2ee.device_unused_fallback_key_types).toEqual(['signed_curve25519']);
    // Bea shares a room with Ana: the new device keys are a change of Ana's device list.
    const changed = await slide(bea, e2ee, `?pos=${beaFirst.pos}&timeout=5000`);
    expect(changed.extensions.e2ee.device_lists.changed).toEqual([ANA]);
    const quiet = await slide(bea, e2ee, `?pos=${changed.pos}&timeout=50`);
    expect(quiet.extensions.e2ee.device_lists).toEqual({ changed: [], left: [] });
  });

  it('account_data: global and per room, scoped to the lists and subscriptions asked for', async () => {
    const listed = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string;
    const other = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string;
    await ana.put(`${V3}/user/${enc(ANA)}/account_data/org.example.global`, { a: 1 });
    await ana.put(`${V3}/user/${enc(ANA)}/rooms/${enc(listed)}/account_data/org.example.room`, { b: 2 });
    await ana.put(`${V3}/user/${enc(ANA)}/rooms/${enc(other)}/account_data/org.example.room`, { c: 3 });
    const body = {
      lists: { top: { ranges: [[0, 0]], timeline_limit: 0, required_state: [] } },
      extensions: { account_data: { enabled: true, lists: ['top'], rooms: [] } },
    };
    const first = await slide(ana, body);
    const top = Object.keys(first.rooms)[0] as string;
    const data = first.extensions.account_data;
    expect(data.global).toEqual(expect.arrayContaining([{ type: 'org.example.global', content: { a: 1 } }]));
    expect(data.global.map((e: LooseBody) => e.type as string)).toContain('m.push_rules');
    expect(Object.keys(data.rooms)).toEqual(top === listed || top === other ? [top] : []);

    await ana.put(`${V3}/user/${enc(ANA)}/account_data/org.example.global`, { a: 2 });
    await ana.put(`${V3}/user/${enc(ANA)}/rooms/${enc(top)}/account_data/org.example.room`, { d: 4 });
    const next = await slide(ana, body, `?pos=${first.pos}`);
    expect(next.extensions.account_data.global).toEqual([{ type: 'org.example.global', content: { a: 2 } }]);
    expect(next.extensions.account_data.rooms).toEqual({ [top]: [{ type: 'org.example.room', content: { d: 4 } }] });
  });

  it('receipts and typing: in the scoped rooms, when they move', async () => {
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    const unscoped = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    for (const room of [roomId, unscoped]) expect((await bea.post(`${V3}/join/${enc(room)}`, {})).status).toBe(200);
    const body = {
      room_subscriptions: { [roomId]: { timeline_limit: 1, required_state: [] } },
      extensions: {
        receipts: { enabled: true, lists: [], rooms: [roomId] },
        typing: { enabled: true, lists: [], rooms: [roomId] },
      },
    };
    const first = await slide(ana, body);
    expect(first.extensions.typing).toEqual({ rooms: {} });
    const eventId = (
      await bea.put(`${V3}/rooms/${enc(roomId)}/send/m.room.message/r1`, { msgtype: 'm.text', body: 'read me' })
    ).body.event_id as string;
    const elsewhere = (
      await bea.put(`${V3}/rooms/${enc(unscoped)}/send/m.room.message/r2`, { msgtype: 'm.text', body: 'x' })
    ).body.event_id as string;
    expect((await bea.post(`${V3}/rooms/${enc(roomId)}/receipt/m.read/${enc(eventId)}`, {})).status).toBe(200);
    expect((await bea.post(`${V3}/rooms/${enc(unscoped)}/receipt/m.read/${enc(elsewhere)}`, {})).status).toBe(200);
    expect(
      (await bea.put(`${V3}/rooms/${enc(roomId)}/typing/${enc(BEA)}`, { typing: true, timeout: 30000 })).status,
    ).toBe(200);
    await bea.put(`${V3}/rooms/${enc(unscoped)}/typing/${enc(BEA)}`, { typing: true, timeout: 30000 });
    const next = await slide(ana, body, `?pos=${first.pos}`);
    expect(next.extensions.receipts.rooms).toEqual({
      [roomId]: { type: 'm.receipt', content: { [eventId]: { 'm.read': { [BEA]: { ts: expect.any(Number) } } } } },
    });
    expect(next.extensions.typing.rooms).toEqual({ [roomId]: { type: 'm.typing', content: { user_ids: [BEA] } } });
    // Typing stopped: the room comes with an empty list, and long-polling woke for it.
    const waiting = slide(ana, body, `?pos=${next.pos}&timeout=10000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await bea.put(`${V3}/rooms/${enc(roomId)}/typing/${enc(BEA)}`, { typing: false });
    const stopped = await waiting;
    expect(stopped.extensions.typing.rooms).toEqual({ [roomId]: { type: 'm.typing', content: { user_ids: [] } } });
  });
});
