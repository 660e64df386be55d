/**
 * Federation figures (issue 6), with two homeservers as `hearth start` child processes, each on
 * its own PostgreSQL database and its own TLS federation listener on loopback:
 *   (a) latency from PUT /send returning on A to the event arriving in a long-polling /sync on B
 *   (b) events per second from A to B for one busy room (16 concurrent senders on A)
 *
 *   npm run bench:federation
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench:federation   (V8 CPU profiles of A and B, in /tmp/prof/A and /tmp/prof/B)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  agent,
  call,
  createBenchDatabase,
  percentile,
  register,
  send,
  startServer,
  type BenchDatabase,
  type BenchServer,
} from './support/bench-server';
import { cpuPerItem, sampleCpu } from './support/cpu-time';

const PORT = Number(process.env.BENCH_PORT ?? 18_208);
const LATENCY_EVENTS = 300;
const LATENCY_PAUSE_MS = 30;
const THROUGHPUT_EVENTS = 3000;
const THROUGHPUT_SENDERS = 16;
const SYNC = '/_matrix/client/v3/sync';

async function main(): Promise<void> {
  const tls = makeCertificate();
  const databases: BenchDatabase[] = [];
  const servers: BenchServer[] = [];
  try {
    for (const i of [0, 1]) {
      const database = await createBenchDatabase();
      databases.push(database);
      const federationPort = PORT + 10 + i;
      servers.push(
        await startServer(
          database,
          PORT + i,
          {
            HEARTH_SERVER_NAME: `127.0.0.1:${federationPort}`,
            HEARTH_FEDERATION_LISTEN: `127.0.0.1:${federationPort}`,
            HEARTH_TLS_CERT: tls.cert,
            HEARTH_TLS_KEY: tls.key,
            HEARTH_FEDERATION_VERIFY_TLS: 'false',
          },
          process.env.BENCH_PROFILE_DIR
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}/${'AB'[i]}`]
            : [],
        ),
      );
    }
    const [a, b] = servers as [BenchServer, BenchServer];
    const sender = await register(a.url, 'sender');
    const receiver = await register(b.url, 'receiver');
    const room = await call(a.url, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' }, sender);
    const roomId = room.room_id as string;
    await call(
      b.url,
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(`127.0.0.1:${PORT + 10}`)}`,
      {},
      receiver,
    );
    await latency(a, b, sender, receiver, roomId);
    await throughput([a, b], databases as [BenchDatabase, BenchDatabase], sender, receiver, roomId);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(databases.map((database) => database.drop()));
    agent.destroy();
  }
}

/** The receiver long-polls on B in a loop and notes when each numbered message arrives. */
function watch(
  b: BenchServer,
  receiver: string,
  roomId: string,
  prefix: string,
  onArrival: (id: string, at: number) => void,
): { stop(): Promise<void> } {
  const hangUp = new AbortController();
  const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 1000 } } }));
  const loop = (async () => {
    let since = (await call(b.url, 'GET', `${SYNC}?filter=${filter}&timeout=0`, undefined, receiver))
      .next_batch as string;
    while (!hangUp.signal.aborted) {
      const body = await call(
        b.url,
        'GET',
        `${SYNC}?since=${since}&timeout=30000&filter=${filter}`,
        undefined,
        receiver,
        hangUp.signal,
      );
      const now = performance.now();
      since = body.next_batch as string;
      const events =
        (body.rooms as { join: Record<string, { timeline: { events: Array<{ content: { body?: string } }> } }> }).join[
          roomId
        ]?.timeline.events ?? [];
      for (const event of events) if (event.content.body?.startsWith(prefix)) onArrival(event.content.body, now);
    }
  })().catch((error: unknown) => {
    if (!hangUp.signal.aborted) throw error;
  });
  return {
    stop: async () => {
      hangUp.abort();
      await loop;
    },
  };
}

async function latency(
  a: BenchServer,
  b: BenchServer,
  sender: string,
  receiver: string,
  roomId: string,
): Promise<void> {
  const arrivals = new Map<string, number>();
  const watcher = watch(b, receiver, roomId, 'lat', (id, at) => arrivals.set(id, at));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const returned = new Map<string, number>();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const id = `lat${i}`;
    await send(a.url, sender, roomId, id, id);
    returned.set(id, performance.now());
    await new Promise((resolve) => setTimeout(resolve, LATENCY_PAUSE_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await watcher.stop();
  const delays = [...returned]
    .flatMap(([id, at]) => (arrivals.has(id) ? [Math.max(0, (arrivals.get(id) as number) - at)] : []))
    .sort((x, y) => x - y);
  const ms = (p: number) => percentile(delays, p).toFixed(1);
  process.stdout.write(
    `(a) PUT /send on A → long-polling /sync on B: p50 ${ms(50)} ms, p95 ${ms(95)} ms, p99 ${ms(99)} ms over ${delays.length} events (${returned.size - delays.length} missing)\n`,
  );
}

async function throughput(
  [a, b]: readonly [BenchServer, BenchServer],
  [databaseA, databaseB]: readonly [BenchDatabase, BenchDatabase],
  sender: string,
  receiver: string,
  roomId: string,
): Promise<void> {
  let arrived = 0;
  let lastArrival = 0;
  const watcher = watch(b, receiver, roomId, 'tp', (_id, at) => {
    arrived++;
    lastArrival = at;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpuBefore = [
    sampleCpu(a.child.pid as number, databaseA.name),
    sampleCpu(b.child.pid as number, databaseB.name),
  ];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: THROUGHPUT_SENDERS }, async () => {
      while (next < THROUGHPUT_EVENTS) {
        const id = `tp${next++}`;
        await send(a.url, sender, roomId, id, id);
      }
    }),
  );
  const sent = performance.now();
  const deadline = Date.now() + 120_000;
  while (arrived < THROUGHPUT_EVENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const cpuAfter = [sampleCpu(a.child.pid as number, databaseA.name), sampleCpu(b.child.pid as number, databaseB.name)];
  await watcher.stop();
  const seconds = (lastArrival - started) / 1000;
  process.stdout.write(
    `(b) one busy room, ${THROUGHPUT_EVENTS} events from ${THROUGHPUT_SENDERS} concurrent senders on A: ${(arrived / seconds).toFixed(0)} events/s arrived on B ` +
      `(${arrived}/${THROUGHPUT_EVENTS} in ${seconds.toFixed(1)} s; A accepted them at ${(THROUGHPUT_EVENTS / ((sent - started) / 1000)).toFixed(0)} events/s)\n`,
  );
  for (const [i, name] of ['A (sending)', 'B (receiving)'].entries())
    process.stdout.write(`    ${name}${cpuPerItem(cpuBefore[i], cpuAfter[i], undefined, arrived)}\n`);
}

function makeCertificate(): { cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=hearth-bench',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
