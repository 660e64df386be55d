/**
 * Idle memory of the README's default start (issue 19, item 5): `hearth start` on the embedded
 * database, first on a fresh data directory, then restarted on the same one. For each start it
 * prints the server's RSS 5 s after /_matrix/client/versions answers, its peak RSS (VmHWM), and
 * the peak of any helper process it ran during start-up; after the restart also the RSS after
 * registering a user and a few syncs. Target: idle RSS ≤ 200 MB.
 *
 *   npm run bench:embedded-memory
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, register } from './support/bench-server';

const PORT = 18_490;
const IDLE_MS = 5_000;
const URL_BASE = `http://127.0.0.1:${PORT}`;

interface Figures {
  readonly rssMB: number;
  readonly peakMB: number;
  readonly helperPeakMB: number;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-memory-'));
  const configFile = path.join(dataDir, 'hearth.yaml');
  fs.writeFileSync(configFile, 'rate_limits:\n  registration: { requests: 100000, per_seconds: 1 }\n');
  try {
    process.stdout.write(
      `load average at start: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}\n`,
    );
    const first = await startAndIdle(dataDir, configFile);
    print('first start (fresh data dir)', first.figures);
    await stop(first.child);
    const again = await startAndIdle(dataDir, configFile);
    print('restart (same data dir)', again.figures);
    await exercise();
    await sleep(IDLE_MS);
    process.stdout.write(`after register + 5 syncs, 5 s idle: RSS ${status(again.child.pid!).rssMB} MB\n`);
    await stop(again.child);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startAndIdle(dataDir: string, configFile: string): Promise<{ child: ChildProcess; figures: Figures }> {
  const main = path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HEARTH_SERVER_NAME: 'bench.example',
    HEARTH_LISTEN: `127.0.0.1:${PORT}`,
    HEARTH_DATA_DIR: dataDir,
    HEARTH_REGISTRATION: 'open',
    HEARTH_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [main, '--config', configFile, 'start'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let helperPeakMB = 0;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`hearth exited with ${child.exitCode}`);
    if (attempt > 1_200) throw new Error('hearth did not answer within 120 s');
    for (const helper of childrenOf(child.pid!)) helperPeakMB = Math.max(helperPeakMB, status(helper).peakMB);
    const up = await fetch(`${URL_BASE}/_matrix/client/versions`).then(
      (res) => res.ok,
      () => false,
    );
    if (up) break;
    await sleep(100);
  }
  await sleep(IDLE_MS);
  return { child, figures: { ...status(child.pid!), helperPeakMB } };
}

async function exercise(): Promise<void> {
  const token = await register(URL_BASE, `memory${Date.now()}`);
  let since = '';
  for (let i = 0; i < 5; i++) {
    const query = since ? `?timeout=0&since=${encodeURIComponent(since)}` : '?timeout=0';
    since = (await call(URL_BASE, 'GET', `/_matrix/client/v3/sync${query}`, undefined, token)).next_batch as string;
  }
}

function print(label: string, figures: Figures): void {
  const helper = figures.helperPeakMB ? `, helper process peak ${figures.helperPeakMB} MB` : '';
  process.stdout.write(`${label}: idle RSS ${figures.rssMB} MB, peak ${figures.peakMB} MB${helper}\n`);
}

/** VmRSS and VmHWM of a live process, in MB; zeros once it has exited. */
function status(pid: number): { rssMB: number; peakMB: number } {
  let text = '';
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMB: 0, peakMB: 0 };
  }
  const field = (name: string) => Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) / 1024);
  return { rssMB: field('VmRSS'), peakMB: field('VmHWM') };
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
