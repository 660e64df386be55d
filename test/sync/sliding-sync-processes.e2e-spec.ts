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
  type LooseBody,
  type TestDatabase,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/**
 * A sliding sync `pos` names state kept in PostgreSQL: it resumes on another `hearth start`
 * process of the same database and after a restart, and a long poll on one process is woken by a
 * message sent through the other (Redis).
 */
(usingEmbeddedFallback() ? describe.skip : describe)('sliding sync across processes', () => {
  let hearth: HearthBuild;
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let first: HearthProcess;
  let second: HearthProcess;

  beforeAll(async () => {
    hearth = new HearthBuild();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-sliding-'));
    env = {
      HEARTH_SERVER_NAME: 'slide.example',
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_DATA_DIR: dataDir,
      HEARTH_REGISTRATION: 'open',
      DATABASE_URL: database.url as string,
      REDIS_URL: TEST_REDIS_URL,
    };
    first = await hearth.start(env);
    second = await hearth.start(env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  it('resumes a pos on another process and after a restart, and long-polls across them', async () => {
    const res = await new TestClient(first.url).registerOpen('ana', 'pw');
    expect(res.status).toBe(200);
    const token = res.body.access_token as string;
    const onFirst = new TestClient(first.url, token);
    const onSecond = new TestClient(second.url, token);
    const roomId = (await onFirst.post(`${V3}/createRoom`, { preset: 'private_chat', name: 'Here' })).body
      .room_id as string;
    let txn = 0;
    const say = (client: TestClient, body: string) =>
      client.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/p${txn++}`, {
        msgtype: 'm.text',
        body,
      });
    const request = { lists: { all: { ranges: [[0, 9]], timeline_limit: 5, required_state: [['m.room.name', '']] } } };
    const messages = (body: LooseBody) =>
      ((body.rooms[roomId]?.timeline ?? []) as LooseBody[])
        .filter((e) => e.type === 'm.room.message')
        .map((e) => e.content.body as string);

    const start = await onFirst.post(SLIDING, request);
    expect(start.body.rooms[roomId].initial).toBe(true);

    await say(onFirst, 'one');
    const resumed = await onSecond.post(`${SLIDING}?pos=${start.body.pos}`, request);
    expect(resumed.status).toBe(200);
    expect(resumed.body.rooms[roomId].initial).toBeUndefined();
    expect(messages(resumed.body)).toEqual(['one']);

    // Long-polling on the second process, woken by a send through the first.
    const waiting = onSecond.post(`${SLIDING}?pos=${resumed.body.pos}&timeout=20000`, request);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentAt = Date.now();
    await say(onFirst, 'two');
    const woken = await waiting;
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(messages(woken.body)).toEqual(['two']);

    // The first process restarts; the pos still resumes there.
    await first.stop();
    first = await hearth.start(env);
    await say(onSecond, 'three');
    const afterRestart = await new TestClient(first.url, token).post(`${SLIDING}?pos=${woken.body.pos}`, request);
    expect(afterRestart.status).toBe(200);
    expect(messages(afterRestart.body)).toEqual(['three']);
  }, 90_000);
});
