import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createTestDatabase,
  eventually,
  HearthBuild,
  TestClient,
  usingEmbeddedFallback,
  type HearthProcess,
  type TestDatabase,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/** A Redis server of this test's own, which it stops and starts again; the shared one stays up for the others. */
class PrivateRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await eventually(() => {
      const ping = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      return Promise.resolve(ping.stdout.trim() === 'PONG' ? true : undefined);
    }, `Redis on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Two `hearth start` processes on one PostgreSQL and a Redis that goes away: while it is away,
 * wake-ups cross between the processes by PostgreSQL NOTIFY, well under a second, and the
 * outage is logged once per channel rather than at every reconnection attempt.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('/sync across two processes while Redis is away', () => {
  let hearth: HearthBuild;
  let database: TestDatabase;
  let redis: PrivateRedis;
  let dataDir: string;
  let first: HearthProcess;
  let second: HearthProcess;
  let firstLog = '';
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let since: string;

  beforeAll(async () => {
    hearth = new HearthBuild();
    database = await createTestDatabase();
    redis = new PrivateRedis(await freePort());
    await redis.start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-redis-outage-'));
    const env = {
      HEARTH_SERVER_NAME: 'outage.example',
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_DATA_DIR: dataDir,
      HEARTH_REGISTRATION: 'open',
      DATABASE_URL: database.url as string,
      REDIS_URL: redis.url,
    };
    first = await hearth.start(env);
    first.child.stdout.on('data', (chunk: Buffer) => (firstLog += chunk.toString()));
    second = await hearth.start(env);
    const register = async (url: string, name: string) => {
      const res = await new TestClient(url).registerOpen(name, 'pw');
      return new TestClient(url, res.body.access_token as string);
    };
    ana = await register(first.url, 'ana');
    bea = await register(second.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {});
    since = (await ana.get(`${V3}/sync`)).body.next_batch as string;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  /** Long-polls on the first process, sends through the second, and says how long the wake-up took. */
  async function wakeUpAcrossProcesses(body: string): Promise<number> {
    const waiting = ana.get(`${V3}/sync?since=${since}&timeout=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const sent = await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${body}`, {
      msgtype: 'm.text',
      body,
    });
    expect(sent.status).toBe(200);
    const woken = await waiting;
    const tookMs = Date.now() - started;
    const events = woken.body.rooms.join[roomId].timeline.events as Array<{ event_id: string }>;
    expect(events.map((event) => event.event_id)).toContain(sent.body.event_id);
    since = woken.body.next_batch as string;
    return tookMs;
  }

  it('wakes across processes through Redis, then through PostgreSQL while Redis is away, then through Redis again', async () => {
    expect(await wakeUpAcrossProcesses('before')).toBeLessThan(1_000);

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const body of ['away-1', 'away-2', 'away-3']) expect(await wakeUpAcrossProcesses(body)).toBeLessThan(1_000);
    // typing goes on in the process that was asked, rather than failing the request
    const typing = await bea.put(`${V3}/rooms/${encodeURIComponent(roomId)}/typing/@bea:outage.example`, {
      typing: true,
      timeout: 5000,
    });
    expect(typing.status).toBe(200);

    await redis.start();
    await eventually(
      () => Promise.resolve(firstLog.includes('Redis is back') ? true : undefined),
      'Redis is back',
      15_000,
    );
    expect(await wakeUpAcrossProcesses('after')).toBeLessThan(1_000);

    const awayLines = firstLog.split('\n').filter((line) => line.includes('Redis is away'));
    // one line for each of the process's two channels (sync wake-ups, typing), not one per retry
    expect(awayLines.length).toBeGreaterThan(0);
    expect(awayLines.length).toBeLessThanOrEqual(2);
  }, 90_000);
});
