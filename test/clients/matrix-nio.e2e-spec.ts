import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HearthBuild, type HearthProcess } from '@hearth/testing';

/**
 * matrix-nio (Python; Debian's python3-matrix-nio with python3-olm), a client library Hearth was
 * not written against, drives the real `hearth start` on the embedded database: registration,
 * login, the device list, keys upload/query/claim, a room with plain messages both ways, and an
 * encrypted room whose messages each side decrypts (test/clients/nio_scenario.py, which prints a
 * line a step). Debian's interpreter is used on purpose: the packages install for it only.
 * Without nio this skips loudly, except under CI=true, where .ci/run installs it and its absence
 * is a failure.
 */
const PYTHON = '/usr/bin/python3';
/** Debian's interpreter with Debian's packages: nothing from a pyenv or virtualenv on the way in. */
const pythonEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV'].includes(key)),
  );
const probe = spawnSync(PYTHON, ['-c', 'import nio, olm'], { encoding: 'utf8', env: pythonEnv() });
const nioMissing =
  probe.status === 0 ? undefined : (probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? 'unknown error');
const strict = process.env.CI === 'true';

if (nioMissing && !strict) {
  process.stderr.write(
    `\n${'!'.repeat(80)}\n!! SKIPPING the matrix-nio test: ${PYTHON} cannot import nio and olm (${nioMissing}).\n` +
      `!! Install them with: apt-get install -y python3-matrix-nio python3-olm\n${'!'.repeat(80)}\n`,
  );
}

(nioMissing && !strict ? describe.skip : describe)('matrix-nio against hearth start on the embedded database', () => {
  let hearth: HearthBuild;
  let server: HearthProcess;
  let dataDir: string;
  let serverLog = '';

  beforeAll(async () => {
    if (nioMissing)
      throw new Error(
        `CI=true and ${PYTHON} cannot import nio and olm (${nioMissing}); .ci/run installs python3-matrix-nio and python3-olm`,
      );
    hearth = new HearthBuild();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-nio-'));
    const config = path.join(dataDir, 'hearth.yaml');
    // Open registration, and rate limits that the scenario's registrations and logins never reach.
    fs.writeFileSync(
      config,
      [
        'server_name: nio.example',
        'listen: 127.0.0.1:0',
        `data_dir: ${JSON.stringify(path.join(dataDir, 'data'))}`,
        'registration: open',
        'rate_limits:',
        '  login: { requests: 1000, per_seconds: 1 }',
        '  registration: { requests: 1000, per_seconds: 1 }',
        '  registration_token_validity: { requests: 1000, per_seconds: 1 }',
        '',
      ].join('\n'),
    );
    server = await hearth.start({}, ['--config', config]);
    // What the server says past start-up, for the failure message: warnings and errors only.
    server.child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (/"level":(4|5|6)\d/.test(line)) serverLog += `${line}\n`;
    });
    server.child.stderr.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    hearth?.remove();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers, logs in, lists devices, exchanges plain and encrypted messages, and logs out', async () => {
    const script = path.join(__dirname, 'nio_scenario.py');
    const child = spawn(PYTHON, [script, server.url], { stdio: ['ignore', 'pipe', 'pipe'], env: pythonEnv() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0)
      throw new Error(
        `matrix-nio scenario exited with ${code}:\n${output}\nhearth's warnings and errors:\n${serverLog || '(none)'}`,
      );
    expect(output.trim().split('\n').at(-1)).toBe('PASS');
  }, 180_000);
});
