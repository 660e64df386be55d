import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, HearthBuild, type TestDatabase } from '@hearth/testing';

let hearth: HearthBuild;
const runCli = (args: string[], env: Record<string, string> = {}) => hearth.run(args, env);
const startServer = (env: Record<string, string>) => hearth.start(env);

describe('the hearth command line', () => {
  let dataDir: string;

  beforeAll(() => {
    hearth = new HearthBuild();
  });
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-cli-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  afterAll(() => hearth.remove());

  it('lists its commands with --help', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['start', 'migrate', 'generate-key'])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(result.stdout).toContain('--config');
  });

  it('stops on a bad setting with one line naming the key, and no stack trace', () => {
    const result = runCli(['start'], { HEARTH_REGISTRATION: 'sometimes', HEARTH_DATA_DIR: dataDir });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^hearth: config error: HEARTH_REGISTRATION \(registration\): .*"closed"/),
    ]);
  });

  it('creates a signing key in Synapse format and keeps it unless forced', () => {
    const env = { HEARTH_DATA_DIR: dataDir, HEARTH_SERVER_NAME: 'work.example' };
    const first = runCli(['generate-key'], env);
    expect(first.status).toBe(0);
    const file = path.join(dataDir, 'work.example.signing.key');
    const content = fs.readFileSync(file, 'utf8');
    expect(content).toMatch(/^ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\n?$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(runCli(['generate-key'], env).stdout).toMatch(/already holds key/);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(runCli(['generate-key', '--force'], env).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).not.toBe(content);
  });

  it('starts on the embedded database, shuts down on SIGTERM and keeps its data and key', async () => {
    const env = { HEARTH_DATA_DIR: dataDir, HEARTH_LISTEN: '127.0.0.1:0', HEARTH_SERVER_NAME: 'home.example' };
    const keyIdOf = async (url: string) =>
      Object.keys(
        ((await (await fetch(`${url}/_matrix/key/v2/server`)).json()) as { verify_keys: object }).verify_keys,
      )[0];

    const first = await startServer(env);
    expect((await fetch(`${first.url}/_matrix/client/versions`)).status).toBe(200);
    const keyId = await keyIdOf(first.url);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startServer(env);
    expect(await keyIdOf(second.url)).toBe(keyId);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'db'))).toBe(true);
  }, 240_000);

  it('creates the first admin and registration tokens that colleagues register with', async () => {
    const env = { HEARTH_DATA_DIR: dataDir, HEARTH_SERVER_NAME: 'work.example', HEARTH_LISTEN: '127.0.0.1:0' };
    const passwordFile = path.join(dataDir, 'admin-password');
    fs.writeFileSync(passwordFile, 'first admin password\n');
    const created = runCli(['admin', 'create-user', 'admin', '--admin', '--password-file', passwordFile], env);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('created @admin:work.example (admin)');
    expect(runCli(['admin', 'create-user', 'admin'], env).stderr).toMatch(/^hearth: That handle is taken/);

    const token = runCli(
      ['admin', 'registration-token', 'create', '--uses', '1', '--expires', '2099-01-01T00:00:00Z'],
      env,
    ).stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9]{16}$/);
    const listed = runCli(['admin', 'registration-token', 'list'], env)
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as object);
    expect(listed).toEqual([
      { token, uses_allowed: 1, pending: 0, completed: 0, expiry_time: Date.parse('2099-01-01T00:00:00Z') },
    ]);
    expect(runCli(['admin', 'registration-token', 'create', '--expires', 'soon'], env).stderr).toMatch(
      /--expires expects an ISO 8601 date/,
    );

    const server = await startServer(env);
    try {
      const login = await fetch(`${server.url}/_matrix/client/v3/login`, {
        method: 'POST',
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'admin' },
          password: 'first admin password',
        }),
      });
      expect(login.status).toBe(200);
      const register = (body: object) =>
        fetch(`${server.url}/_matrix/client/v3/register`, { method: 'POST', body: JSON.stringify(body) });
      const first = (await (await register({ username: 'ana', password: 'pw' })).json()) as { session: string };
      const done = await register({
        username: 'ana',
        password: 'pw',
        auth: { type: 'm.login.registration_token', token, session: first.session },
      });
      expect(done.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    expect(runCli(['admin', 'registration-token', 'revoke', token], env).stdout.trim()).toBe(`revoked ${token}`);
    expect(runCli(['admin', 'registration-token', 'list'], env).stdout.trim()).toBe('');
  }, 240_000);

  describe('against PostgreSQL', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.drop());

    it('migrates a database and then finds it up to date', () => {
      const env: Record<string, string> = {
        HEARTH_DATA_DIR: dataDir,
        ...(database.url ? { DATABASE_URL: database.url } : {}),
      };
      const first = runCli(['migrate'], env);
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/^applied: ServerIdentity/);
      expect(runCli(['migrate'], env).stdout.trim()).toBe('database is up to date');
    });
  });
});
