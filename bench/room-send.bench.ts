/**
 * Events persisted per second through the client API: one sender in one room, 16 concurrent
 * senders in one room, and 16 concurrent senders spread over 100 rooms. The homeserver runs
 * in its own process (`hearth start`), as in production; this process only sends.
 *
 *   npm run bench:rooms            (uses a fresh database on postgres://postgres@127.0.0.1:5432)
 *   BENCH_EVENTS=4000 npm run bench:rooms
 *   BENCH_ASYNC_COMMIT=1 npm run bench:rooms   (synchronous_commit=off, to see what commit waits cost)
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench:rooms   (a V8 CPU profile of the homeserver)
 *   BENCH_LOG_SLOW_MS=1 npm run bench:rooms   (PostgreSQL logs statements slower than 1 ms)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client } from 'pg';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const BENCH_PORT = Number(process.env.BENCH_PORT ?? 18_008);

async function main(): Promise<void> {
  const database = `hearth_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  if (process.env.BENCH_LOG_SLOW_MS) await admin(`ALTER DATABASE ${database} SET log_min_duration_statement = ${Number(process.env.BENCH_LOG_SLOW_MS)}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (process.env.BENCH_ASYNC_COMMIT === '1') url.searchParams.set('options', '-c synchronous_commit=off');
  // Every bench sender shares one address; registration limits would otherwise stop the set-up.
  fs.mkdirSync(`/tmp/${database}`, { recursive: true });
  const configFile = `/tmp/${database}/hearth.yaml`;
  fs.writeFileSync(configFile, 'rate_limits:\n  registration: { requests: 100000, per_seconds: 1 }\n  login: { requests: 100000, per_seconds: 1 }\n');
  const server = await startServer(configFile, {
    HEARTH_SERVER_NAME: 'bench.example',
    HEARTH_LISTEN: `127.0.0.1:${BENCH_PORT}`,
    HEARTH_DATA_DIR: `/tmp/${database}`,
    DATABASE_URL: url.toString(),
    HEARTH_REGISTRATION: 'open',
    HEARTH_LOG_LEVEL: 'warn',
  });
  try {
    const senders = await Promise.all(Array.from({ length: 16 }, (_, i) => register(server.url, `sender${i}`)));
    const first = senders[0] as string;
    const oneRoom = await createRoom(server.url, first, senders);
    const manyRooms = await Promise.all(Array.from({ length: 100 }, () => createRoom(server.url, first, senders)));

    report('1 sender, 1 room', await measure(EVENTS, 1, (i) => send(server.url, first, oneRoom, `a${i}`)));
    report('16 senders, 1 room', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, oneRoom, `b${i}`)));
    report('16 senders, 100 rooms', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, manyRooms[i % 100] as string, `c${i}`)));
  } finally {
    agent.destroy();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await admin(`DROP DATABASE ${database} WITH (FORCE)`);
    fs.rmSync(`/tmp/${database}`, { recursive: true, force: true });
  }
}

/** `hearth start` in a child process (request logs off); resolves once /health answers. */
async function startServer(configFile: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const main = path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []), main, '--config', configFile, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${BENCH_PORT}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`hearth exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/health`).then((res) => res.ok, () => false);
    if (healthy) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error('hearth did not start within 30 s');
}

async function measure(total: number, concurrency: number, sendOne: (i: number) => Promise<void>): Promise<{ total: number; seconds: number }> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await sendOne(i);
    }),
  );
  return { total, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function report(name: string, { total, seconds }: { total: number; seconds: number }): void {
  process.stdout.write(`${name.padEnd(24)} ${total} events in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} events/s\n`);
}

/** node:http with keep-alive: much lighter than fetch, so the client takes less of the two cores from the server. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(base: string, method: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const data = JSON.stringify(body);
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: hostname, port, method, path, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (res.statusCode !== 200 && res.statusCode !== 401) reject(new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      },
    );
    request.on('error', reject);
    request.end(data);
  });
}

async function register(base: string, username: string): Promise<string> {
  const first = await call(base, 'POST', '/_matrix/client/v3/register', { username, password: 'bench-password' });
  const done = await call(base, 'POST', '/_matrix/client/v3/register', { username, password: 'bench-password', auth: { type: 'm.login.dummy', session: first.session } });
  return done.access_token as string;
}

async function createRoom(base: string, token: string, everyone: readonly string[]): Promise<string> {
  const room = await call(base, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }, token);
  const roomId = room.room_id as string;
  await Promise.all(everyone.slice(1).map((member) => call(base, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {}, member)));
  return roomId;
}

async function send(base: string, token: string, roomId: string, txnId: string): Promise<void> {
  await call(base, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`, { msgtype: 'm.text', body: `bench ${txnId}` }, token);
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
