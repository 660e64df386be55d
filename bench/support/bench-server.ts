import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client } from 'pg';

/** Benchmarks run the homeserver as `hearth start` in child processes, as in production. */
export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  readonly dataDir: string;
  readonly configFile: string;
  /**
   * Gathers planner statistics, as autovacuum would have on a server that has been running: a
   * bench fills its tables faster than autovacuum looks, and PostgreSQL plans for empty tables.
   */
  analyze(): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh database and data folder, and a config without registration limits (every bench user shares one address). */
export async function createBenchDatabase(
  options: { asyncCommit?: boolean; logSlowMs?: number } = {},
): Promise<BenchDatabase> {
  const name = `hearth_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  if (options.logSlowMs !== undefined)
    await admin(`ALTER DATABASE ${name} SET log_min_duration_statement = ${options.logSlowMs}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  if (options.asyncCommit) url.searchParams.set('options', '-c synchronous_commit=off');
  const dataDir = `/tmp/${name}`;
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.join(dataDir, 'hearth.yaml');
  fs.writeFileSync(
    configFile,
    'rate_limits:\n  registration: { requests: 100000, per_seconds: 1 }\n  login: { requests: 100000, per_seconds: 1 }\n',
  );
  return {
    name,
    url: url.toString(),
    dataDir,
    configFile,
    analyze: () => admin('ANALYZE', url.toString()),
    drop: async () => {
      await admin(`DROP DATABASE ${name} WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `hearth start` in a child process (request logs off); resolves once /health answers. `checkout`:
 * another working copy whose build to start instead of this one (a baseline to compare with).
 */
export async function startServer(
  database: BenchDatabase,
  port: number,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  checkout?: string,
): Promise<BenchServer> {
  const dist = checkout === undefined ? path.join(__dirname, '..', '..') : path.join(checkout, 'dist');
  const main = path.join(dist, 'apps', 'cli', 'src', 'main.js');
  const child = spawn(process.execPath, [...nodeArgs, main, '--config', database.configFile, 'start'], {
    env: {
      ...process.env,
      HEARTH_SERVER_NAME: 'bench.example',
      HEARTH_LISTEN: `127.0.0.1:${port}`,
      HEARTH_DATA_DIR: database.dataDir,
      DATABASE_URL: database.url,
      HEARTH_REGISTRATION: 'open',
      HEARTH_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`hearth exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (healthy) return { child, url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('hearth did not start within 30 s');
}

/** node:http with keep-alive: much lighter than fetch, so the client takes less of the two cores from the server. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 20_000 });

export function call(
  base: string,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  token?: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const data = body === undefined ? '' : JSON.stringify(body);
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: hostname,
        port,
        method,
        path: pathAndQuery,
        agent,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('error', reject);
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (res.statusCode !== 200 && res.statusCode !== 401)
            reject(new Error(`${method} ${pathAndQuery}: ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      },
    );
    request.on('error', reject);
    // Hanging up destroys only a request still in flight; finished ones have let go of the signal.
    const hangUp = () => request.destroy(new Error('hung up'));
    signal?.addEventListener('abort', hangUp, { once: true });
    request.on('close', () => signal?.removeEventListener('abort', hangUp));
    request.end(data);
  });
}

export async function register(base: string, username: string): Promise<string> {
  const first = await call(base, 'POST', '/_matrix/client/v3/register', { username, password: 'bench-password' });
  const done = await call(base, 'POST', '/_matrix/client/v3/register', {
    username,
    password: 'bench-password',
    auth: { type: 'm.login.dummy', session: first.session },
  });
  return done.access_token as string;
}

/** `count` users named `<prefix>0`, `<prefix>1`, ..., registered ten at a time; their access tokens in order. */
export async function registerMany(base: string, prefix: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 10)
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, (_, k) => register(base, `${prefix}${i + k}`)),
      )),
    );
  return tokens;
}

export async function createRoom(
  base: string,
  token: string,
  members: readonly string[],
  body: Record<string, unknown> = { preset: 'public_chat' },
): Promise<string> {
  const room = await call(base, 'POST', '/_matrix/client/v3/createRoom', body, token);
  const roomId = room.room_id as string;
  for (let i = 0; i < members.length; i += 20) {
    await Promise.all(
      members
        .slice(i, i + 20)
        .map((member) => call(base, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {}, member)),
    );
  }
  return roomId;
}

export function send(
  base: string,
  token: string,
  roomId: string,
  txnId: string,
  body = `bench ${txnId}`,
): Promise<Record<string, unknown>> {
  return call(
    base,
    'PUT',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`,
    { msgtype: 'm.text', body },
    token,
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function admin(sql: string, connectionString = ADMIN_URL): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
