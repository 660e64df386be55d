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
import { agent, createBenchDatabase, createRoom, register, send, startServer } from './support/bench-server';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const BENCH_PORT = Number(process.env.BENCH_PORT ?? 18_008);

async function main(): Promise<void> {
  const database = await createBenchDatabase({
    asyncCommit: process.env.BENCH_ASYNC_COMMIT === '1',
    ...(process.env.BENCH_LOG_SLOW_MS ? { logSlowMs: Number(process.env.BENCH_LOG_SLOW_MS) } : {}),
  });
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const server = await startServer(database, BENCH_PORT, {}, profile);
  try {
    const senders = await Promise.all(Array.from({ length: 16 }, (_, i) => register(server.url, `sender${i}`)));
    const first = senders[0] as string;
    const oneRoom = await createRoom(server.url, first, senders.slice(1));
    const manyRooms = await Promise.all(Array.from({ length: 100 }, () => createRoom(server.url, first, senders.slice(1))));
    await database.analyze();

    report('1 sender, 1 room', await measure(EVENTS, 1, (i) => send(server.url, first, oneRoom, `a${i}`)));
    report('16 senders, 1 room', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, oneRoom, `b${i}`)));
    report('16 senders, 100 rooms', await measure(EVENTS, 16, (i) => send(server.url, senders[i % 16] as string, manyRooms[i % 100] as string, `c${i}`)));
  } finally {
    agent.destroy();
    await server.stop();
    await database.drop();
  }
}

async function measure(total: number, concurrency: number, sendOne: (i: number) => Promise<unknown>): Promise<{ total: number; seconds: number }> {
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

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
