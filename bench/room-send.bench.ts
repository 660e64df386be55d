/**
 * Events persisted per second through the client API: one sender in one room, 16 concurrent
 * senders in one room, and 16 concurrent senders spread over 100 rooms.
 *
 *   npm run bench:rooms            (uses a fresh database on postgres://postgres@127.0.0.1:5432)
 *   BENCH_EVENTS=4000 npm run bench:rooms
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { buildConfig } from '@hearth/config';
import { startHomeserver } from '@hearth/homeserver';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);

async function main(): Promise<void> {
  const database = `hearth_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const server = await startHomeserver(
    buildConfig({
      server_name: 'bench.example',
      listen: '127.0.0.1:0',
      data_dir: `/tmp/${database}`,
      database_url: url.toString(),
      registration: 'open',
      log_level: 'silent',
      rate_limits: { login: { requests: 1e6, per_seconds: 1 }, registration: { requests: 1e6, per_seconds: 1 }, registration_token_validity: { requests: 1e6, per_seconds: 1 } },
    }),
  );
  try {
    const senders = await Promise.all(Array.from({ length: 16 }, (_, i) => register(server.url, `sender${i}`)));
    const first = senders[0] as string;
    const oneRoom = await createRoom(server.url, first, senders);
    const manyRooms = await Promise.all(Array.from({ length: 100 }, () => createRoom(server.url, first, senders)));

    report('1 sender, 1 room', await measure(EVENTS, 1, (i) => send(server.url, first, oneRoom, `a${i}`)));
    report('16 senders, 1 room', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, oneRoom, `b${i}`)));
    report('16 senders, 100 rooms', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, manyRooms[i % 100] as string, `c${i}`)));
  } finally {
    await server.close();
    await admin(`DROP DATABASE ${database} WITH (FORCE)`);
  }
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

async function call(base: string, method: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200 && res.status !== 401) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
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
