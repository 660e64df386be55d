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
 *
 * Each phase also prints the CPU time spent per event (Linux /proc): by the whole machine,
 * the homeserver process, the database's backends for it, and this client; on two shared cores that, not the wall clock, says
 * what a change saved.
 */
import { agent, createBenchDatabase, createRoom, register, send, startServer } from './support/bench-server';
import { cpuPerItem, sampleCpu } from './support/cpu-time';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const BENCH_PORT = Number(process.env.BENCH_PORT ?? 18_008);

async function main(): Promise<void> {
  const database = await createBenchDatabase({
    asyncCommit: process.env.BENCH_ASYNC_COMMIT === '1',
    ...(process.env.BENCH_LOG_SLOW_MS ? { logSlowMs: Number(process.env.BENCH_LOG_SLOW_MS) } : {}),
  });
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const server = await startServer(database, BENCH_PORT, {}, profile);
  try {
    const senders = await Promise.all(Array.from({ length: 16 }, (_, i) => register(server.url, `sender${i}`)));
    const first = senders[0] as string;
    const oneRoom = await createRoom(server.url, first, senders.slice(1));
    const manyRooms = await Promise.all(
      Array.from({ length: 100 }, () => createRoom(server.url, first, senders.slice(1))),
    );
    await database.analyze();

    const pid = server.child.pid as number;
    report(
      '1 sender, 1 room',
      await measure(EVENTS, 1, pid, database.name, (i) => send(server.url, first, oneRoom, `a${i}`)),
    );
    report(
      '16 senders, 1 room',
      await measure(EVENTS, 16, pid, database.name, (i) =>
        send(server.url, senders[i % 16] as string, oneRoom, `b${i}`),
      ),
    );
    report(
      '16 senders, 100 rooms',
      await measure(EVENTS, 16, pid, database.name, (i) =>
        send(server.url, senders[i % 16] as string, manyRooms[i % 100] as string, `c${i}`),
      ),
    );
  } finally {
    agent.destroy();
    await server.stop();
    await database.drop();
  }
}

interface Measured {
  readonly total: number;
  readonly seconds: number;
  readonly cpu: string;
}

async function measure(
  total: number,
  concurrency: number,
  homeserverPid: number,
  databaseName: string,
  sendOne: (i: number) => Promise<unknown>,
): Promise<Measured> {
  let next = 0;
  const cpuBefore = sampleCpu(homeserverPid, databaseName);
  const benchBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await sendOne(i);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bench = process.cpuUsage(benchBefore);
  return {
    total,
    seconds,
    cpu: cpuPerItem(cpuBefore, sampleCpu(homeserverPid, databaseName), bench.user + bench.system, total),
  };
}

function report(name: string, { total, seconds, cpu }: Measured): void {
  process.stdout.write(
    `${name.padEnd(24)} ${total} events in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} events/s${cpu}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
