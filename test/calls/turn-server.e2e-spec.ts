import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

const TURN_SERVER = '/_matrix/client/v3/voip/turnServer';
const SECRET = 'a-secret-shared-with-coturn';
const run = promisify(execFile);

/** coturn's server and test client, from Debian's package; .ci/run installs it, so under CI=true its absence fails. */
const coturnMissing = ['turnserver', 'turnutils_uclient'].some(
  (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0,
);
const strict = process.env.CI === 'true';
if (coturnMissing && !strict) {
  process.stderr.write(
    `\n${'!'.repeat(80)}\n!! SKIPPING the TURN test: coturn's turnserver or turnutils_uclient is not installed.\n` +
      `!! Install it with: apt-get install -y coturn\n${'!'.repeat(80)}\n`,
  );
}

/**
 * The credentials are checked by a real coturn (Debian's package, started here with
 * `use-auth-secret`, as docs/calls.md sets it up): its own test client allocates a relay with them.
 */
(coturnMissing && !strict ? describe.skip : describe)('GET /voip/turnServer', () => {
  let hs: TestHomeserver;
  let turnserver: ChildProcess;
  let turnPort: number;

  beforeAll(async () => {
    turnPort = await freePort();
    turnserver = spawn(
      'turnserver',
      [
        '-n',
        '--use-auth-secret',
        `--static-auth-secret=${SECRET}`,
        '--realm=hearth.test',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${turnPort}`,
        '--no-tls',
        '--no-dtls',
        '--no-cli',
        '--allow-loopback-peers',
        '--log-file=stdout',
      ],
      { stdio: 'ignore' },
    );
    hs = await startTestHomeserver({
      config: {
        registration: 'open',
        turn_uris: [`turn:127.0.0.1:${turnPort}?transport=udp`],
        turn_shared_secret: SECRET,
        turn_user_lifetime: '1h',
      },
    });
  });
  afterAll(async () => {
    turnserver.kill();
    await hs.destroy();
  });

  it('hands out credentials that coturn accepts, valid for the configured lifetime', async () => {
    const ana = await signUp(hs.url, 'ana');
    const before = Math.floor(Date.now() / 1000);
    const res = await ana.get(TURN_SERVER);
    expect(res.status).toBe(200);
    expect(res.body.uris).toEqual([`turn:127.0.0.1:${turnPort}?transport=udp`]);
    expect(res.body.ttl).toBe(3600);
    const [expiry, userId] = splitUsername(res.body.username);
    expect(userId).toBe('@ana:hearth.test');
    expect(expiry).toBeGreaterThanOrEqual(before + 3600);
    expect(expiry).toBeLessThanOrEqual(before + 3602);

    expect(await allocates(res.body.username, res.body.password)).toBe(true);
    expect(await allocates(res.body.username, `x${res.body.password}`)).toBe(false);
  });

  it('needs an access token', async () => {
    expect((await new TestClient(hs.url).get(TURN_SERVER)).body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('answers an empty object when no relays are configured', async () => {
    const bare = await startTestHomeserver({ config: { registration: 'open' } });
    try {
      const bea = await signUp(bare.url, 'bea');
      const res = await bea.get(TURN_SERVER);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    } finally {
      await bare.destroy();
    }
  });

  /** coturn's own client (turnutils_uclient) allocates a relay and sends a message through it. */
  async function allocates(username: string, password: string): Promise<boolean> {
    const args = ['-y', '-n', '1', '-m', '1', '-l', '100', '-u', username, '-w', password];
    // It exits non-zero when the allocation is refused; its output says which way it went either way.
    const output = await run('turnutils_uclient', [...args, '-p', String(turnPort), '127.0.0.1'], {
      timeout: 15_000,
    }).then(
      ({ stdout, stderr }) => stdout + stderr,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    if (output.includes('Cannot complete Allocation')) return false;
    return /Total lost packets 0 /.test(output);
  }
});

function splitUsername(username: string): [number, string] {
  const colon = username.indexOf(':');
  return [Number(username.slice(0, colon)), username.slice(colon + 1)];
}
