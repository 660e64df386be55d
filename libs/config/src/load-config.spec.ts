import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config-error';
import { buildConfig, loadConfig } from './load-config';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (run: () => unknown): string[] => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('runs with no file and no environment on the embedded defaults', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config).toMatchObject({
      serverName: 'localhost:8008',
      listen: { host: '127.0.0.1', port: 8008 },
      publicBaseUrl: 'http://127.0.0.1:8008',
      dataDir: path.join(dir, 'data'),
      signingKeyPath: path.join(dir, 'data', 'localhost_8008.signing.key'),
      registration: 'token',
      logLevel: 'info',
      privacy: {
        logClientIps: false,
        logUserAgents: false,
        deviceLastSeenResolutionMs: 86_400_000,
        deviceNamesOverFederation: false,
      },
      databaseUrl: undefined,
      redisUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
  });

  it('reads hearth.yaml from the working directory and lets the environment override it', () => {
    fs.writeFileSync(
      path.join(dir, 'hearth.yaml'),
      'server_name: work.example\nregistration: open\nlisten: "[::1]:9000"\n',
    );
    const config = loadConfig({
      cwd: dir,
      env: { HEARTH_REGISTRATION: 'closed', DATABASE_URL: 'postgres://u@db/hearth' },
    });
    expect(config.serverName).toBe('work.example');
    expect(config.registration).toBe('closed');
    expect(config.listen).toEqual({ host: '::1', port: 9000 });
    expect(config.publicBaseUrl).toBe('http://[::1]:9000');
    expect(config.databaseUrl).toBe('postgres://u@db/hearth');
  });

  it('reads an explicit --config path and fails clearly when it is missing', () => {
    const file = path.join(dir, 'custom.yaml');
    fs.writeFileSync(file, 'log_level: debug\n');
    expect(loadConfig({ configPath: file, env: {}, cwd: dir }).logLevel).toBe('debug');
    expect(problemsOf(() => loadConfig({ configPath: 'nope.yaml', env: {}, cwd: dir }))).toEqual([
      `config file ${path.join(dir, 'nope.yaml')} does not exist`,
    ]);
  });

  it('names the environment variable and what was expected, one line per problem, all at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: dir,
        env: { HEARTH_REGISTRATION: 'sometimes', HEARTH_LISTEN: 'everywhere', HEARTH_SERVER_NAME: 'bad name!' },
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('HEARTH_REGISTRATION (registration):'))).toMatch(/closed.*token.*open/);
    expect(problems.find((p) => p.startsWith('HEARTH_LISTEN (listen):'))).toMatch(/host:port/);
    expect(problems.find((p) => p.startsWith('HEARTH_SERVER_NAME (server_name):'))).toMatch(/server name/);
    for (const problem of problems) expect(problem).not.toContain('\n');
  });

  it('names file keys, unknown keys and nested keys', () => {
    fs.writeFileSync(path.join(dir, 'hearth.yaml'), 'log_level: loud\nserver_nmae: x\nwell_known:\n  sever: y\n');
    const problems = problemsOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^log_level: /),
        'unknown key(s) server_nmae',
        'well_known: unknown key(s) sever',
      ]),
    );
  });

  it('rejects a file that is not YAML or not a mapping', () => {
    fs.writeFileSync(path.join(dir, 'hearth.yaml'), 'a: [unclosed\n');
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {} }))[0]).toMatch(/is not valid YAML/);
    fs.writeFileSync(path.join(dir, 'hearth.yaml'), '- just\n- a list\n');
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {} }))[0]).toMatch(/must hold a mapping/);
  });

  it('rejects URLs of the wrong scheme and non-numeric limits', () => {
    const problems = problemsOf(() =>
      buildConfig({ database_url: 'mysql://x/y', redis_url: 'http://r', max_request_body_bytes: 'lots' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^database_url: expected a postgres/),
      expect.stringMatching(/^redis_url: expected a redis/),
      expect.stringMatching(/^max_request_body_bytes: /),
    ]);
  });

  it('accepts the example file shipped in deploy/ as it is', () => {
    const example = path.resolve(__dirname, '../../../deploy/hearth.example.yaml');
    const config = loadConfig({ configPath: example, env: {}, cwd: dir });
    expect(config.serverName).toBe('localhost:8008');
    expect(config.accounts.reservedLocalparts).toContain('support');
    expect(config.rateLimits.login).toEqual({ requests: 10, perSeconds: 60 });
  });

  it('checks the JWT login settings', () => {
    expect(problemsOf(() => buildConfig({ jwt_login: { issuer: 'i', audience: 'a' } }))[0]).toMatch(
      /^jwt_login: expected exactly one of/,
    );
    const config = buildConfig({ jwt_login: { issuer: 'i', audience: ['a', 'b'], secret: 'x'.repeat(32) } });
    expect(config.accounts.jwtLogin).toMatchObject({
      key: { kind: 'secret' },
      algorithms: ['HS256', 'HS384', 'HS512'],
      subjectClaim: 'sub',
      provision: false,
    });
  });

  it('checks the TURN settings: URIs and a secret together, a lifetime with its unit', () => {
    expect(buildConfig({}).turn).toBeUndefined();
    expect(problemsOf(() => buildConfig({ turn_uris: ['turn:turn.example:3478'] }))[0]).toMatch(
      /^turn_uris: turn_uris and one of turn_shared_secret/,
    );
    expect(problemsOf(() => buildConfig({ turn_uris: ['https://turn.example'], turn_shared_secret: 's' }))[0]).toMatch(
      /^turn_uris.0: expected a turn: or turns: URI/,
    );
    expect(
      problemsOf(() =>
        buildConfig({ turn_uris: ['turn:t.example'], turn_shared_secret: 's', turn_user_lifetime: '3600' }),
      )[0],
    ).toMatch(/^turn_user_lifetime: expected a positive duration with a unit/);
    fs.writeFileSync(path.join(dir, 'turn.secret'), 'from-a-file\n');
    expect(
      problemsOf(() => loadConfig({ cwd: dir, env: { HEARTH_TURN_SHARED_SECRET_FILE: 'turn.secret' } }))[0],
    ).toMatch(/^turn_uris: /);
    const withUris = buildConfig(
      { turn_uris: ['turns:turn.example:5349'], turn_shared_secret_file: 'turn.secret', turn_user_lifetime: '1d' },
      {},
      dir,
    );
    expect(withUris.turn).toEqual({
      uris: ['turns:turn.example:5349'],
      sharedSecret: 'from-a-file',
      userLifetimeMs: 86_400_000,
    });
  });

  it('accepts booleans written as environment strings', () => {
    expect(loadConfig({ cwd: dir, env: { HEARTH_LOG_CLIENT_IPS: 'true' } }).privacy.logClientIps).toBe(true);
    expect(loadConfig({ cwd: dir, env: { HEARTH_LOG_USER_AGENTS: 'no' } }).privacy.logUserAgents).toBe(false);
  });

  it('takes the older log_ip_addresses as both privacy.log_client_ips and privacy.log_user_agents', () => {
    const { privacy } = loadConfig({ cwd: dir, env: { HEARTH_LOG_IP_ADDRESSES: 'yes' } });
    expect(privacy).toMatchObject({ logClientIps: true, logUserAgents: true });
  });

  it('keeps transient rows for bounded times by default and checks the message retention limits', () => {
    expect(loadConfig({ cwd: dir, env: {} }).retention).toMatchObject({
      purgeIntervalMs: 3_600_000,
      transactionIdsMs: 86_400_000,
      expiredTokensMs: 7 * 86_400_000,
      messages: { defaultLifetimeMs: undefined, minLifetimeMs: 86_400_000, maxLifetimeMs: undefined },
    });
    fs.writeFileSync(path.join(dir, 'hearth.yaml'), 'retention:\n  message_min_days: 10\n  message_max_days: 5\n');
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {} }))).toEqual([
      'retention: retention.message_max_days must not be below message_min_days',
    ]);
  });

  it('reads the federation section from the file and from HEARTH_FEDERATION_* / HEARTH_TLS_* variables', () => {
    fs.writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'key.pem'), 'KEY');
    fs.writeFileSync(
      path.join(dir, 'hearth.yaml'),
      'federation:\n  allow: ["*.partner.example"]\n  tls_key: key.pem\n',
    );
    const config = loadConfig({
      cwd: dir,
      env: {
        HEARTH_FEDERATION_LISTEN: '0.0.0.0:8448',
        HEARTH_TLS_CERT: 'cert.pem',
        HEARTH_FEDERATION_VERIFY_TLS: 'false',
      },
    });
    expect(config.federation).toEqual({
      listen: { host: '0.0.0.0', port: 8448 },
      tls: { cert: 'CERT', key: 'KEY' },
      verifyTls: false,
      allow: ['*.partner.example'],
      deny: [],
      trustedKeyServers: [],
      requestTimeoutMs: 30_000,
      publicRooms: false,
    });
    expect(loadConfig({ cwd: dir, env: {} }).federation.verifyTls).toBe(true);
    expect(problemsOf(() => buildConfig({ federation: { listen: '0.0.0.0:8448' } }))).toEqual([
      'federation: federation.listen needs tls_cert and tls_key (HEARTH_TLS_CERT, HEARTH_TLS_KEY)',
    ]);
    expect(problemsOf(() => loadConfig({ cwd: dir, env: { HEARTH_FEDERATION_LISTEN: 'nowhere' } }))[0]).toMatch(
      /^HEARTH_FEDERATION_LISTEN \(federation.listen\): expected host:port/,
    );
  });
});
