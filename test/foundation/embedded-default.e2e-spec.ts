import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HearthBuild, signUp, TestClient, type HearthProcess } from '@hearth/testing';

/** pg-pool closes a connection idle this long unless told otherwise; the pause must outlast it. */
const POOL_IDLE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the embedded default, started as the README starts it', () => {
  let hearth: HearthBuild;
  let dataDir: string;
  let env: Record<string, string>;
  const running: HearthProcess[] = [];
  const start = async (launch = (variables: Record<string, string>) => hearth.start(variables)) => {
    const server = await launch(env);
    running.push(server);
    return server;
  };
  const startAsNpmStartDoes = () => start((variables) => hearth.startAsNpmStartDoes(variables));

  beforeAll(() => {
    hearth = new HearthBuild();
  });
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-embedded-'));
    env = {
      HEARTH_DATA_DIR: dataDir,
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_SERVER_NAME: 'embedded.test',
      HEARTH_REGISTRATION: 'open',
    };
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  afterAll(() => hearth.remove());

  it('answers after an idle pause longer than the pool idle timeout, under concurrent load, and after a restart', async () => {
    const first = await startAsNpmStartDoes();
    expect(fs.readFileSync(`/proc/${first.child.pid}/cmdline`, 'utf8').split('\0')).toContain('--v8-pool-size=1');
    expect(fs.readFileSync(`/proc/${first.child.pid}/environ`, 'utf8').split('\0')).toContain(
      'GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072',
    );
    const alice = await signUp(first.url, 'alice', 'alice password');
    const room = (await alice.post('/_matrix/client/v3/createRoom', { name: 'idle' })).body.room_id as string;

    await sleep(POOL_IDLE_TIMEOUT_MS + 2_000);
    expect((await alice.get('/_matrix/client/v3/account/whoami')).status).toBe(200);

    const sends = Array.from({ length: 20 }, (_, i) =>
      alice.put(`/_matrix/client/v3/rooms/${room}/send/m.room.message/t${i}`, { msgtype: 'm.text', body: `m${i}` }),
    );
    const syncs = Array.from({ length: 5 }, () => alice.get('/_matrix/client/v3/sync?timeout=0'));
    const statuses = (await Promise.all([...sends, ...syncs])).map((res) => res.status);
    expect(statuses).toEqual(statuses.map(() => 200));

    await first.stop();
    expect(await first.exited).toBe(0);
    const second = await startAsNpmStartDoes();
    const again = new TestClient(second.url, alice.accessToken);
    expect((await again.get('/_matrix/client/v3/joined_rooms')).body.joined_rooms).toEqual([room]);
    const messages = await again.get(`/_matrix/client/v3/rooms/${room}/messages?dir=b&limit=50`);
    expect(messages.body.chunk.filter((event: { type: string }) => event.type === 'm.room.message')).toHaveLength(20);
  }, 240_000);

  it('refuses a second server on its data folder at once, and takes admin commands while it runs', async () => {
    const server = await start();
    const startedAt = Date.now();
    await expect(hearth.start(env)).rejects.toThrow(
      /the embedded database in .* is in use by another process \(pid \d+, hearth start since/,
    );
    expect(Date.now() - startedAt).toBeLessThan(15_000);

    const passwordFile = path.join(dataDir, 'password');
    fs.writeFileSync(passwordFile, 'carol password\n');
    const created = await hearth.runAsync(['admin', 'create-user', 'carol', '--password-file', passwordFile], env);
    expect(created).toMatchObject({ status: 0, stdout: 'created @carol:embedded.test\n' });
    expect((await new TestClient(server.url).loginPassword('carol', 'carol password')).status).toBe(200);
    expect((await hearth.runAsync(['admin', 'create-user', 'carol'], env)).stderr).toMatch(
      /^hearth: That handle is taken/,
    );

    const token = (await hearth.runAsync(['admin', 'registration-token', 'create', '--uses', '2'], env)).stdout.trim();
    const listed = (await hearth.runAsync(['admin', 'registration-token', 'list'], env)).stdout;
    expect(JSON.parse(listed.trim())).toMatchObject({ token, uses_allowed: 2, completed: 0 });

    await server.stop();
    expect((await hearth.runAsync(['admin', 'create-user', 'dave', '--password-file', passwordFile], env)).status).toBe(
      0,
    );
    const restarted = await start();
    for (const user of ['carol', 'dave'])
      expect((await new TestClient(restarted.url).loginPassword(user, 'carol password')).status).toBe(200);
  }, 240_000);

  it('starts again at once after it was killed without a chance to clean up', async () => {
    const killed = await start();
    const bob = await signUp(killed.url, 'bob', 'bob password');
    killed.child.kill('SIGKILL');
    await killed.exited;
    const restarted = await start();
    expect(
      (await new TestClient(restarted.url, bob.accessToken).get('/_matrix/client/v3/account/whoami')).body.user_id,
    ).toBe('@bob:embedded.test');
    const created = await hearth.runAsync(['admin', 'registration-token', 'create'], env);
    expect(created.status).toBe(0);
  }, 240_000);
});
