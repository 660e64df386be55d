/**
 * /sync figures (issue 5), against `hearth start` in child processes and local PostgreSQL:
 *   (a) latency from PUT /send returning to the event arriving at another client's waiting /sync,
 *       with 100 other clients long-polling (idle, in their own rooms); and the same with all 100
 *       in the sender's room, so that every event wakes 100 requests (fan-out)
 *   (b) initial sync for a user in 200 rooms of 50 events each, timeline limit 10, with and without lazy loading
 *   (c) resident memory of the homeserver with 10,000 idle long-polling /sync requests
 *   (d) as (a), with the sender on one process and the pollers on another, joined by Redis
 *
 *   npm run bench:sync                  (all four)
 *   BENCH_PHASES=a,c npm run bench:sync
 */
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import {
  agent,
  call,
  createBenchDatabase,
  createRoom,
  percentile,
  REDIS_URL,
  register,
  registerMany,
  send,
  startServer,
  type BenchServer,
} from './support/bench-server';

const PHASES = new Set((process.env.BENCH_PHASES ?? 'a,b,c,d').split(','));
const PORT = Number(process.env.BENCH_PORT ?? 18_108);
const POLLERS = 100;
/** Events sent one after another, and the pause between them; a fan-out wakes 100 requests per event. */
const LATENCY_RUNS = { idle: { events: 300, pauseMs: 30 }, 'fan-out': { events: 100, pauseMs: 100 } } as const;
const SYNC = '/_matrix/client/v3/sync';

async function main(): Promise<void> {
  if (PHASES.has('a'))
    await withServers(1, {}, ([server]) =>
      latency('(a) send → waiting /sync, 1 receiver + 100 idle pollers, 1 process', server!, server!, 'idle'),
    );
  if (PHASES.has('a'))
    await withServers(1, {}, ([server]) =>
      latency('(a) fan-out: send → 100 waiting /syncs in the room, 1 process', server!, server!, 'fan-out'),
    );
  if (PHASES.has('b')) await withServers(1, {}, ([server]) => initialSync(server!));
  if (PHASES.has('c')) await withServers(1, {}, ([server]) => idleMemory(server!));
  if (PHASES.has('d'))
    await withServers(2, { REDIS_URL }, ([sender, poller]) =>
      latency('(d) send → waiting /sync, 1 receiver + 100 idle pollers, 2 processes + Redis', sender!, poller!, 'idle'),
    );
  if (PHASES.has('d'))
    await withServers(2, { REDIS_URL }, ([sender, poller]) =>
      latency('(d) fan-out: send → 100 waiting /syncs in the room, 2 processes + Redis', sender!, poller!, 'fan-out'),
    );
  agent.destroy();
}

async function withServers(
  count: number,
  env: Record<string, string>,
  run: (servers: BenchServer[]) => Promise<void>,
): Promise<void> {
  const database = await createBenchDatabase();
  const servers: BenchServer[] = [];
  try {
    // One after the other: the first creates the signing key and runs the migrations.
    for (let i = 0; i < count; i++) servers.push(await startServer(database, PORT + i, env));
    await run(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
}

/**
 * Each poller long-polls in a loop and notes when each bench message reaches it. `idle`: one
 * receiver in the sender's room and 100 pollers waiting in rooms of their own; `fan-out`: all
 * 100 pollers in the sender's room.
 */
async function latency(
  title: string,
  sendVia: BenchServer,
  pollVia: BenchServer,
  shape: 'idle' | 'fan-out',
): Promise<void> {
  const sender = await register(sendVia.url, 'sender');
  const others = await registerMany(pollVia.url, 'poller', POLLERS);
  const receivers = shape === 'idle' ? [await register(pollVia.url, 'receiver')] : others;
  const roomId = await createRoom(sendVia.url, sender, receivers);
  if (shape === 'idle') for (const other of others) await createRoom(pollVia.url, other, []);
  const pollers = shape === 'idle' ? [...receivers, ...others] : others;
  const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 50 } } }));
  const arrivals = new Map<string, number[]>();
  // Clients wait 30 s, as real ones do; the bench hangs up on them when it is done.
  const hangUp = new AbortController();
  // Every poller's request listens on it at once; Node's leak warning assumes ten at most.
  setMaxListeners(pollers.length + 1, hangUp.signal);
  let failure: unknown;
  let synced = 0;
  const loops = pollers
    .map(async (token) => {
      let since = (await call(pollVia.url, 'GET', `${SYNC}?filter=${filter}`, undefined, token)).next_batch as string;
      synced++;
      while (!hangUp.signal.aborted) {
        const body = await call(
          pollVia.url,
          'GET',
          `${SYNC}?since=${since}&timeout=30000&filter=${filter}`,
          undefined,
          token,
          hangUp.signal,
        );
        const now = performance.now();
        since = body.next_batch as string;
        const room = (
          body.rooms as { join: Record<string, { timeline: { events: Array<{ content: { body?: string } }> } }> }
        ).join[roomId];
        for (const event of room?.timeline.events ?? []) {
          const id = event.content.body;
          if (id?.startsWith('lat')) arrivals.set(id, [...(arrivals.get(id) ?? []), now]);
        }
      }
    })
    .map((loop) =>
      loop.catch((error: unknown) => {
        if (!hangUp.signal.aborted) failure ??= error;
      }),
    );
  // Every poller's initial sync must be done before the first send: an event older than a
  // poller's first token is in its initial sync, not in what it waits for.
  while (synced < pollers.length && !failure) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const returned = new Map<string, number>();
  const { events, pauseMs } = LATENCY_RUNS[shape];
  for (let i = 0; i < events; i++) {
    const id = `lat${i}`;
    await send(sendVia.url, sender, roomId, id, id);
    returned.set(id, performance.now());
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  hangUp.abort();
  await Promise.all(loops);
  if (failure) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));

  const delays: number[] = [];
  let missing = 0;
  for (const [id, at] of returned) {
    const seen = arrivals.get(id) ?? [];
    missing += receivers.length - seen.length;
    // An event can reach a poller before its sender's reply is on the wire: that counts as 0.
    for (const arrival of seen) delays.push(Math.max(0, arrival - at));
  }
  delays.sort((a, b) => a - b);
  const ms = (p: number) => percentile(delays, p).toFixed(1);
  process.stdout.write(
    `${title}: p50 ${ms(50)} ms, p95 ${ms(95)} ms, p99 ${ms(99)} ms over ${delays.length} deliveries (${missing} missing)\n`,
  );
}

async function initialSync(server: BenchServer): Promise<void> {
  const user = await register(server.url, 'reader');
  const others = await registerMany(server.url, 'member', 5);
  const rooms: string[] = [];
  for (let r = 0; r < 200; r += 10)
    rooms.push(...(await Promise.all(Array.from({ length: 10 }, () => createRoom(server.url, user, others)))));
  let n = 0;
  await Promise.all(
    rooms.map(async (roomId, r) => {
      for (let i = 0; i < 50; i++) await send(server.url, others[(r + i) % others.length] as string, roomId, `i${n++}`);
    }),
  );
  for (const [label, filter] of [
    ['without lazy loading', { room: { timeline: { limit: 10 } } }],
    ['with lazy loading', { room: { timeline: { limit: 10 }, state: { lazy_load_members: true } } }],
  ] as const) {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const body = await call(
        server.url,
        'GET',
        `${SYNC}?filter=${encodeURIComponent(JSON.stringify(filter))}`,
        undefined,
        user,
      );
      times.push(performance.now() - started);
      if (Object.keys((body.rooms as { join: object }).join).length !== 200)
        throw new Error('initial sync did not return 200 rooms');
    }
    times.sort((a, b) => a - b);
    process.stdout.write(
      `(b) initial sync, 200 rooms × 50 events, timeline limit 10, ${label}: median ${percentile(times, 50).toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)})\n`,
    );
  }
}

async function idleMemory(server: BenchServer): Promise<void> {
  const users = await registerMany(server.url, 'idle', 100);
  const tokens = await Promise.all(
    users.map(async (token) => ({
      token,
      since: (await call(server.url, 'GET', SYNC, undefined, token)).next_batch as string,
    })),
  );
  const before = rssMb(server);
  const requests: Array<Promise<unknown>> = [];
  for (let i = 0; i < 10_000; i++) {
    const { token, since } = tokens[i % tokens.length]!;
    requests.push(
      call(server.url, 'GET', `${SYNC}?since=${since}&timeout=600000`, undefined, token).catch(() => undefined),
    );
    if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Let every request reach its wait, then read the resident set until it settles.
  let previous = 0;
  let current = rssMb(server);
  for (let i = 0; i < 30 && Math.abs(current - previous) > 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    previous = current;
    current = rssMb(server);
  }
  process.stdout.write(
    `(c) resident memory: ${before.toFixed(0)} MB idle, ${current.toFixed(0)} MB with 10,000 waiting /sync requests\n`,
  );
  agent.destroy();
  void Promise.allSettled(requests);
}

function rssMb(server: BenchServer): number {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
