/**
 * Idle memory of the README's default start (issue 19, item 5): `npm start` on the embedded
 * database, beside the same server started as `node dist/apps/cli/src/main.js start` without the
 * memory settings scripts/start.sh adds, in the same run. For each: a first start on a fresh data
 * directory and a restart on the same one, with the server's RSS 5 s and 60 s after
 * /_matrix/client/versions first answers (V8's memory reducer gives back the young generation
 * once the process has been idle a while: 20-50 s after start-up here) and its peak RSS (VmHWM),
 * then the RSS after registering a user and a few syncs, and after use: USE_ROUNDS rounds of a
 * message sent, /messages and /sync, read at each of BENCH_AFTER_USE_SECONDS (V8 keeps the heap
 * that use grew until its memory reducer has seen the process idle: a minute or two). After the
 * restart's and the use's last readings, where the memory sits (support/memory-map.ts). Target:
 * idle RSS ≤ 200 MB.
 *
 *   npm run bench:embedded-memory        (BENCH_IDLE_SECONDS=5,60 and BENCH_AFTER_USE_SECONDS=5,60,120 by default)
 *   BENCH_GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768 ...   given to both servers (npm start adds its own before)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, createRoom, register, send } from './support/bench-server';
import { memoryBreakdown } from './support/memory-map';

const PORT = 18_490;
const URL_BASE = `http://127.0.0.1:${PORT}`;
const IDLE_SECONDS = (process.env.BENCH_IDLE_SECONDS ?? '5,60').split(',').map(Number);
const AFTER_USE_SECONDS = (process.env.BENCH_AFTER_USE_SECONDS ?? '5,60,120').split(',').map(Number);
const USE_ROUNDS = 300;
const ROOT = path.join(__dirname, '..', '..');

interface Launcher {
  readonly label: string;
  launch(configFile: string, env: NodeJS.ProcessEnv): ChildProcess;
}

const LAUNCHERS: readonly Launcher[] = [
  {
    label: 'npm start',
    launch: (configFile, env) => spawn('npm', ['start', '--silent', '--', '--config', configFile], { cwd: ROOT, env }),
  },
  {
    label: 'node main.js start, no memory settings',
    launch: (configFile, env) =>
      spawn(
        process.execPath,
        [path.join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), '--config', configFile, 'start'],
        {
          cwd: ROOT,
          env,
        },
      ),
  },
];

interface Running {
  readonly launched: ChildProcess;
  /** The homeserver's own process: the launched one, or its descendant when npm launched it. */
  readonly serverPid: number;
  readonly helperPeakMB: number;
}

async function main(): Promise<void> {
  process.stdout.write(
    `load average at start: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  for (const launcher of LAUNCHERS) await measure(launcher);
}

async function measure(launcher: Launcher): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-memory-'));
  const configFile = path.join(dataDir, 'hearth.yaml');
  fs.writeFileSync(configFile, 'rate_limits:\n  registration: { requests: 100000, per_seconds: 1 }\n');
  const env = serverEnvironment(dataDir);
  try {
    const first = await start(launcher, configFile, env);
    process.stdout.write(`${launcher.label}, first start (fresh data dir): ${await idleFigures(first)}\n`);
    await stop(first);
    const again = await start(launcher, configFile, env);
    process.stdout.write(`${launcher.label}, restart (same data dir): ${await idleFigures(again)}\n`);
    process.stdout.write(`  where it sits: ${memoryBreakdown(again.serverPid)}\n`);
    const token = await exercise();
    process.stdout.write(`${launcher.label}, after register + 5 syncs: ${await rssAfter(again, [5])}\n`);
    await use(token);
    const afterUse = await rssAfter(again, AFTER_USE_SECONDS);
    process.stdout.write(`${launcher.label}, after ${USE_ROUNDS} rounds of send, /messages and /sync: ${afterUse}\n`);
    process.stdout.write(`  where it sits: ${memoryBreakdown(again.serverPid)}\n`);
    await stop(again);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function serverEnvironment(dataDir: string): NodeJS.ProcessEnv {
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
  delete env.NODE_OPTIONS;
  delete env.GLIBC_TUNABLES;
  if (process.env.BENCH_GLIBC_TUNABLES) env.GLIBC_TUNABLES = process.env.BENCH_GLIBC_TUNABLES;
  return env;
}

async function start(launcher: Launcher, configFile: string, env: NodeJS.ProcessEnv): Promise<Running> {
  const launched = launcher.launch(configFile, env);
  launched.stdout?.resume();
  launched.stderr?.pipe(process.stderr);
  let helperPeakMB = 0;
  for (let attempt = 0; ; attempt++) {
    if (launched.exitCode !== null) throw new Error(`the server exited with ${launched.exitCode}`);
    if (attempt > 1_200) throw new Error('the server did not answer within 120 s');
    const serverPid = homeserverPid(launched.pid!);
    if (serverPid)
      for (const helper of childrenOf(serverPid)) helperPeakMB = Math.max(helperPeakMB, status(helper).peakMB);
    const up = await fetch(`${URL_BASE}/_matrix/client/versions`).then(
      (res) => res.ok,
      () => false,
    );
    if (up && serverPid) return { launched, serverPid, helperPeakMB };
    await sleep(100);
  }
}

async function idleFigures(running: Running): Promise<string> {
  const figures = [await rssAfter(running, IDLE_SECONDS), `peak ${status(running.serverPid).peakMB} MB`];
  if (running.helperPeakMB) figures.push(`helper process peak ${running.helperPeakMB} MB`);
  return figures.join(', ');
}

/** The idle RSS read at each of `seconds` from now. */
async function rssAfter(running: Running, seconds: readonly number[]): Promise<string> {
  const figures: string[] = [];
  let waited = 0;
  for (const at of seconds) {
    await sleep((at - waited) * 1_000);
    waited = at;
    figures.push(`idle RSS ${status(running.serverPid).rssMB} MB after ${at} s`);
  }
  return figures.join(', ');
}

/** Registers a user and syncs five times; returns the user's access token. */
async function exercise(): Promise<string> {
  const token = await register(URL_BASE, `memory${Date.now()}`);
  let since = '';
  for (let i = 0; i < 5; i++) {
    const query = since ? `?timeout=0&since=${encodeURIComponent(since)}` : '?timeout=0';
    since = (await call(URL_BASE, 'GET', `/_matrix/client/v3/sync${query}`, undefined, token)).next_batch as string;
  }
  return token;
}

/** What a small team's server does: messages sent, a room's history read, syncs. */
async function use(token: string): Promise<void> {
  const roomId = await createRoom(URL_BASE, token, []);
  const messages = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`;
  for (let i = 0; i < USE_ROUNDS; i++) {
    await send(URL_BASE, token, roomId, `use${i}`);
    await call(URL_BASE, 'GET', messages, undefined, token);
    await call(URL_BASE, 'GET', '/_matrix/client/v3/sync?timeout=0', undefined, token);
  }
}

/** The process running main.js: `pid` itself, or the first such descendant (npm → sh → node). */
function homeserverPid(pid: number): number | undefined {
  if (commandLine(pid).includes('main.js')) return pid;
  for (const child of childrenOf(pid)) {
    const found = homeserverPid(child);
    if (found) return found;
  }
  return undefined;
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
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

async function stop(running: Running): Promise<void> {
  const { launched } = running;
  if (launched.exitCode !== null) return;
  const exited = new Promise((resolve) => launched.once('exit', resolve));
  process.kill(running.serverPid, 'SIGTERM');
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
