import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  it('wakes a long poll on one process for an event sent through the other', async () => {
    const register = async (url: string, name: string) => {
      const res = await new TestClient(url).registerOpen(name, 'pw');
      expect(res.status).toBe(200);
      return new TestClient(url, res.body.access_token as string);
    };
    const ana = await register(first.url, 'ana');
    const bea = await register(second.url, 'bea');
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
});
