import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Olm from '@matrix-org/olm';
import { canonicalJson } from '@hearth/protocol';
import {
  createTestDatabase,
  HearthBuild,
  TEST_REDIS_URL,
  TestClient,
  usingEmbeddedFallback,
  type HearthProcess,
  type TestDatabase,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/**
 * Two real `hearth start` processes on one PostgreSQL and one Redis: a client long-polling on
 * one is woken by an event sent through the other, well before its timeout.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('/sync across two processes joined by Redis', () => {
  let hearth: HearthBuild;
  let database: TestDatabase;
  let dataDir: string;
  let first: HearthProcess;
  let second: HearthProcess;
  /** ana registered through the first process, bea through the second (registration is rate-limited: two in all). */
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hearth = new HearthBuild();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-redis-'));
    const env = {
      HEARTH_SERVER_NAME: 'pair.example',
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_DATA_DIR: dataDir,
      HEARTH_REGISTRATION: 'open',
      DATABASE_URL: database.url as string,
      REDIS_URL: TEST_REDIS_URL,
    };
    // One after the other: the first creates the signing key and runs the migrations.
    first = await hearth.start(env);
    second = await hearth.start(env);
    const register = async (url: string, name: string) => {
      const res = await new TestClient(url).registerOpen(name, 'pw');
      expect(res.status).toBe(200);
      return new TestClient(url, res.body.access_token as string);
    };
    ana = await register(first.url, 'ana');
    bea = await register(second.url, 'bea');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  it('wakes a long poll on one process for an event sent through the other', async () => {
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    expect((await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);

    const start = (await ana.get(`${V3}/sync`)).body.next_batch as string;
    const started = Date.now();
    const waiting = ana.get(`${V3}/sync?since=${start}&timeout=30000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/x1`, {
      msgtype: 'm.text',
      body: 'from the other process',
    });
    expect(sent.status).toBe(200);
    const woken = await waiting;
    // Without the Redis notification the first process would answer only at the 30 s timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
    const events = woken.body.rooms.join[roomId].timeline.events as Array<{ event_id: string }>;
    expect(events.map((e) => e.event_id)).toContain(sent.body.event_id);

    // Typing lives in memory, so it must travel too.
    const typingStart = Date.now();
    const waitingForTyping = ana.get(`${V3}/sync?since=${woken.body.next_batch as string}&timeout=30000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      (
        await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/typing/@bea:pair.example`, {
          typing: true,
          timeout: 20000,
        })
      ).status,
    ).toBe(200);
    const typing = await waitingForTyping;
    expect(Date.now() - typingStart).toBeLessThan(15_000);
    expect(typing.body.rooms.join[roomId].ephemeral.events).toContainEqual({
      type: 'm.typing',
      content: { user_ids: ['@bea:pair.example'] },
    });
  });

  it('answers a long poll on one process with memberships changed through the other (no stale kept rooms)', async () => {
    // bea's one token on both processes: she changes memberships through the first, syncs on the second.
    const beaFirst = new TestClient(first.url, bea.accessToken);
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    const room = encodeURIComponent(roomId);
    const poll = (since: string) => bea.get(`${V3}/sync?since=${since}&timeout=20000`);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    // The second process reads, and keeps, bea's memberships.
    let since = (await bea.get(`${V3}/sync`)).body.next_batch as string;
    since = (await bea.get(`${V3}/sync?since=${since}&timeout=0`)).body.next_batch as string;

    // Joined through the first process: the second's waiting sync shows the room.
    let waiting = poll(since);
    await settle();
    expect((await beaFirst.post(`${V3}/join/${room}`, {})).status).toBe(200);
    let body = (await waiting).body;
    expect(Object.keys(body.rooms.join)).toContain(roomId);
    since = body.next_batch as string;

    // The room's next message wakes the second process's long poll: it watches the new room.
    waiting = poll(since);
    await settle();
    const sent = await ana.put(`${V3}/rooms/${room}/send/m.room.message/after-join`, {
      msgtype: 'm.text',
      body: 'hi',
    });
    expect(sent.status).toBe(200);
    const started = Date.now();
    body = (await waiting).body;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((body.rooms.join[roomId].timeline.events as Array<{ event_id: string }>).map((e) => e.event_id)).toContain(
      sent.body.event_id,
    );
    since = body.next_batch as string;

    // Left through the first process: the second says so, and stops showing the room's messages as joined.
    waiting = poll(since);
    await settle();
    expect((await beaFirst.post(`${V3}/rooms/${room}/leave`, {})).status).toBe(200);
    body = (await waiting).body;
    expect(Object.keys(body.rooms.leave)).toContain(roomId);
    expect(Object.keys(body.rooms.join)).not.toContain(roomId);
    since = body.next_batch as string;
    await ana.put(`${V3}/rooms/${room}/send/m.room.message/after-leave`, { msgtype: 'm.text', body: 'gone' });
    body = (await bea.get(`${V3}/sync?since=${since}&timeout=0`)).body;
    expect(Object.keys(body.rooms?.join ?? {})).not.toContain(roomId);
  });

  it('shows one-time and fallback keys claimed through the other process in the next woken sync', async () => {
    // ana's device keeps its keys on the first process's syncs; bea claims them through the second.
    await Olm.init();
    const account = new Olm.Account();
    account.create();
    const whoami = (await ana.get(`${V3}/account/whoami`)).body as { user_id: string; device_id: string };
    const signed = (object: Record<string, unknown>) => ({
      ...object,
      signatures: { [whoami.user_id]: { [`ed25519:${whoami.device_id}`]: account.sign(canonicalJson(object)) } },
    });
    const identity = JSON.parse(account.identity_keys()) as { curve25519: string; ed25519: string };
    account.generate_one_time_keys(3);
    const { curve25519 } = JSON.parse(account.one_time_keys()) as { curve25519: Record<string, string> };
    const [fallbackId, ...oneTimeIds] = Object.keys(curve25519) as [string, ...string[]];
    const uploaded = await ana.post(`${V3}/keys/upload`, {
      device_keys: signed({
        user_id: whoami.user_id,
        device_id: whoami.device_id,
        algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
        keys: {
          [`curve25519:${whoami.device_id}`]: identity.curve25519,
          [`ed25519:${whoami.device_id}`]: identity.ed25519,
        },
      }),
      one_time_keys: Object.fromEntries(
        oneTimeIds.map((id) => [`signed_curve25519:${id}`, signed({ key: curve25519[id] })]),
      ),
      fallback_keys: { [`signed_curve25519:${fallbackId}`]: signed({ key: curve25519[fallbackId], fallback: true }) },
    });
    account.free();
    expect(uploaded.body.one_time_key_counts).toEqual({ signed_curve25519: 2 });
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    const room = encodeURIComponent(roomId);
    expect((await bea.post(`${V3}/join/${room}`, {})).status).toBe(200);
    const claim = () =>
      bea.post(`${V3}/keys/claim`, {
        one_time_keys: { [whoami.user_id]: { [whoami.device_id]: 'signed_curve25519' } },
      });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    let body = (await ana.get(`${V3}/sync`)).body;
    expect(body.device_one_time_keys_count).toEqual({ signed_curve25519: 2 });
    expect(body.device_unused_fallback_key_types).toEqual(['signed_curve25519']);

    // One claimed through the second process while ana waits on the first; a message wakes her.
    let waiting = ana.get(`${V3}/sync?since=${body.next_batch as string}&timeout=20000`);
    await settle();
    expect(Object.keys((await claim()).body.one_time_keys[whoami.user_id][whoami.device_id])).toHaveLength(1);
    await bea.put(`${V3}/rooms/${room}/send/m.room.message/claimed-1`, { msgtype: 'm.text', body: 'one' });
    body = (await waiting).body;
    expect(body.device_one_time_keys_count).toEqual({ signed_curve25519: 1 });
    expect(body.device_unused_fallback_key_types).toEqual(['signed_curve25519']);

    // The last one-time key, then the fallback key: both gone from the next answer.
    waiting = ana.get(`${V3}/sync?since=${body.next_batch as string}&timeout=20000`);
    await settle();
    await claim();
    const fallback = (await claim()).body.one_time_keys[whoami.user_id][whoami.device_id];
    expect(Object.keys(fallback)).toEqual([`signed_curve25519:${fallbackId}`]);
    await bea.put(`${V3}/rooms/${room}/send/m.room.message/claimed-2`, { msgtype: 'm.text', body: 'two' });
    body = (await waiting).body;
    expect(body.device_one_time_keys_count.signed_curve25519 ?? 0).toBe(0);
    expect(body.device_unused_fallback_key_types).toEqual([]);
  });

  it('clears the unread count on one process for a read receipt sent through the other', async () => {
    const anaSecond = new TestClient(second.url, ana.accessToken);
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat' })).body.room_id as string;
    const room = encodeURIComponent(roomId);
    expect((await ana.post(`${V3}/rooms/${room}/invite`, { user_id: '@bea:pair.example' })).status).toBe(200);
    expect((await bea.post(`${V3}/join/${room}`, {})).status).toBe(200);
    let since = (await ana.get(`${V3}/sync`)).body.next_batch as string;

    const sent = await bea.put(`${V3}/rooms/${room}/send/m.room.message/unread`, {
      msgtype: 'm.text',
      body: 'read me',
    });
    let body = (await ana.get(`${V3}/sync?since=${since}&timeout=20000`)).body;
    expect(body.rooms.join[roomId].unread_notifications.notification_count).toBe(1);
    since = body.next_batch as string;

    const waiting = ana.get(`${V3}/sync?since=${since}&timeout=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const eventId = encodeURIComponent(sent.body.event_id as string);
    expect((await anaSecond.post(`${V3}/rooms/${room}/receipt/m.read/${eventId}`, {})).status).toBe(200);
    body = (await waiting).body;
    expect(body.rooms.join[roomId].unread_notifications).toEqual({ notification_count: 0, highlight_count: 0 });
  });
});
