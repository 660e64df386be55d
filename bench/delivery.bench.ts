/**
 * Outbound delivery figures (issue 7): `hearth worker` processes on one PostgreSQL database and
 * one BullMQ queue in Redis, sending to 50 loopback destinations that accept everything.
 *   (a) PDUs delivered per second: 100 PDUs per destination (5,000) waiting in the outbox
 *   (b) delivery lag: one PDU to all 50 destinations every 20 ms for 10 s, from outbox commit to arrival
 * each with 1 and with 3 workers.
 *
 *   npm run bench:delivery
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { BullMqDeliveryQueue } from '@hearth/delivery';
import { createBenchDatabase, percentile, REDIS_URL, type BenchDatabase } from './support/bench-server';
import { RecordingPeers } from './support/recording-peers';

const DESTINATIONS = 50;
const BACKLOG_PER_DESTINATION = 100;
const LAG_SECONDS = 10;
const LAG_TICK_MS = 20;
const SERVER_NAME = 'bench-delivery.example';

async function main(): Promise<void> {
  for (const workers of [1, 3]) await run(workers);
}

async function run(workerCount: number): Promise<void> {
  const database = await createBenchDatabase();
  const peers = await RecordingPeers.start(DESTINATIONS);
  const queue = new BullMqDeliveryQueue(REDIS_URL, `hearth-delivery-${SERVER_NAME}`);
  const db = new Client({ connectionString: database.url });
  const workers: ChildProcess[] = [];
  try {
    await migrate(database);
    await db.connect();
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(database));
    await throughput(db, queue, peers, workerCount);
    await lag(db, queue, peers, workerCount);
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(
      workers.map(
        (worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once('exit', resolve))),
      ),
    );
    await db.end().catch(() => undefined);
    await queue.close();
    await peers.close();
    await database.drop();
  }
}

async function throughput(
  db: Client,
  queue: BullMqDeliveryQueue,
  peers: RecordingPeers,
  workerCount: number,
): Promise<void> {
  const total = DESTINATIONS * BACKLOG_PER_DESTINATION;
  await db.query(
    `INSERT INTO federation_outbox (destination, kind, payload, created_ts)
     SELECT d.name, 'pdu', jsonb_build_object('type', 'm.room.message', 'room_id', '!bench:x', 'content', jsonb_build_object('seq', d.i * $2 + n)), 0
       FROM unnest($1::text[]) WITH ORDINALITY AS d (name, i), generate_series(0, $2 - 1) AS n ORDER BY d.i, n`,
    [peers.names, BACKLOG_PER_DESTINATION],
  );
  const started = performance.timeOrigin + performance.now();
  await Promise.all(peers.names.map((name) => queue.schedule(name)));
  await until(() => peers.arrivals.size >= total, 120_000);
  const last = Math.max(...peers.arrivals.values());
  process.stdout.write(
    `(a) ${workerCount} worker(s): ${total} PDUs to ${DESTINATIONS} destinations in ${((last - started) / 1000).toFixed(2)} s = ${(total / ((last - started) / 1000)).toFixed(0)} PDUs/s\n`,
  );
}

async function lag(db: Client, queue: BullMqDeliveryQueue, peers: RecordingPeers, workerCount: number): Promise<void> {
  const recorded = new Map<number, number>();
  let seq = 1_000_000;
  const end = Date.now() + LAG_SECONDS * 1000;
  while (Date.now() < end) {
    const first = seq;
    seq += DESTINATIONS;
    await db.query(
      `INSERT INTO federation_outbox (destination, kind, payload, created_ts)
       SELECT d.name, 'pdu', jsonb_build_object('type', 'm.room.message', 'room_id', '!lag:x', 'content', jsonb_build_object('seq', $2::int + d.i - 1)), 0
         FROM unnest($1::text[]) WITH ORDINALITY AS d (name, i)`,
      [peers.names, first],
    );
    const committed = performance.timeOrigin + performance.now();
    for (let i = 0; i < DESTINATIONS; i++) recorded.set(first + i, committed);
    await Promise.all(peers.names.map((name) => queue.schedule(name)));
    await new Promise((resolve) => setTimeout(resolve, LAG_TICK_MS));
  }
  await until(() => [...recorded.keys()].every((s) => peers.arrivals.has(s)), 60_000);
  const delays = [...recorded].map(([s, at]) => (peers.arrivals.get(s) as number) - at).sort((x, y) => x - y);
  process.stdout.write(
    `(b) ${workerCount} worker(s): lag from outbox commit to arrival over ${delays.length} deliveries: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms\n`,
  );
}

async function migrate(database: BenchDatabase): Promise<void> {
  const child = spawn(process.execPath, [mainJs(), '--config', database.configFile, 'migrate'], {
    env: envOf(database),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`hearth migrate exited with ${String(code)}`);
}

async function startWorker(database: BenchDatabase): Promise<ChildProcess> {
  const child = spawn(process.execPath, [mainJs(), '--config', database.configFile, 'worker'], {
    env: envOf(database),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('consuming the delivery queue')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hearth worker exited with ${String(code)}`)));
  });
  return child;
}

function envOf(database: BenchDatabase): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HEARTH_SERVER_NAME: SERVER_NAME,
    HEARTH_DATA_DIR: database.dataDir,
    DATABASE_URL: database.url,
    REDIS_URL,
    HEARTH_FEDERATION_VERIFY_TLS: 'false',
    HEARTH_LOG_LEVEL: 'info',
  };
}

function mainJs(): string {
  return path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
