/**
 * What one wake-up of a waiting /sync costs (issue 19, item 2): statements sent to PostgreSQL
 * (round trips) and homeserver CPU per delivered message, for one new message in one room with
 * 0, 1 and 100 long-polls in the room. The 0 case is the sender's own cost, taken off the others.
 * Counts, not wall-clock times: they hold on a busy machine.
 *
 *   npm run bench:sync-wakeup
 *   WAKEUP_SHOW_STATEMENTS=1 ...   (also lists the statements by shape: per message, per delivered message)
 *   BENCH_PROFILE_DIR=/tmp/prof ... (V8 CPU profiles of the homeserver: one of each measured phase,
 *                                   window-2 for the sender alone, window-4 for 1 long-poll, window-6 for 100;
 *                                   and one of the whole run)
 */
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  agent,
  call,
  createBenchDatabase,
  createRoom,
  register,
  registerMany,
  send,
  type BenchServer,
  startServer,
} from './support/bench-server';
import { sampleCpu } from './support/cpu-time';

const PORT = Number(process.env.BENCH_PORT ?? 18_733);
const MESSAGES = Number(process.env.WAKEUP_MESSAGES ?? 30);
const SYNC = '/_matrix/client/v3/sync';
const FILTER = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 50 } } }));

interface Counts {
  readonly total: number;
  readonly byShape: Record<string, number>;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const countFile = path.join(database.dataDir, 'query-counts.json');
  const hook = path.join(__dirname, 'support', 'count-queries.js');
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const windows: Record<string, string> = process.env.BENCH_PROFILE_DIR
    ? { HEARTH_PROFILE_WINDOWS_DIR: process.env.BENCH_PROFILE_DIR }
    : {};
  const server = await startServer(database, PORT, { HEARTH_QUERY_COUNT_FILE: countFile, ...windows }, [
    '--require',
    hook,
    ...profile,
  ]);
  try {
    const sender = await register(server.url, 'sender');
    await database.analyze();
    const baseline = await phase(server, sender, 0, countFile);
    for (const pollers of [1, 100]) {
      const result = await phase(server, sender, pollers, countFile);
      const deliveries = pollers * MESSAGES;
      const statements = (result.counts.total - baseline.counts.total) / deliveries;
      const cpu = (result.cpuMs - baseline.cpuMs) / deliveries;
      process.stdout.write(
        `wake-up, ${pollers} long-poll(s) in the room, ${MESSAGES} messages: ${statements.toFixed(1)} statements and ${cpu.toFixed(2)} ms homeserver CPU per delivered message (re-poll included; sender's own ${(baseline.counts.total / MESSAGES).toFixed(1)} statements, ${(baseline.cpuMs / MESSAGES).toFixed(2)} ms per send taken off)\n`,
      );
      // Per message for one poller; per delivered message (each woken sync) for many.
      if (process.env.WAKEUP_SHOW_STATEMENTS)
        for (const [shape, n] of Object.entries(result.counts.byShape))
          process.stdout.write(`  ${(n / (pollers === 1 ? MESSAGES : deliveries)).toFixed(2)} × ${shape}\n`);
    }
  } finally {
    await server.stop();
    agent.destroy();
    await database.drop();
  }
}

/** A room of the sender and `pollers` fresh users long-polling; MESSAGES sends, each awaited until every poller has it. */
async function phase(
  server: BenchServer,
  sender: string,
  pollers: number,
  countFile: string,
): Promise<{ counts: Counts; cpuMs: number }> {
  const tokens = await registerMany(server.url, `p${pollers}x`, pollers);
  const roomId = await createRoom(server.url, sender, tokens);
  const hangUp = new AbortController();
  setMaxListeners(pollers + 1, hangUp.signal);
  let received = 0;
  let ready = 0;
  const loops = tokens.map(async (token) => {
    let since = (await call(server.url, 'GET', `${SYNC}?filter=${FILTER}`, undefined, token)).next_batch as string;
    ready++;
    while (!hangUp.signal.aborted) {
      const body = await call(
        server.url,
        'GET',
        `${SYNC}?since=${since}&timeout=30000&filter=${FILTER}`,
        undefined,
        token,
        hangUp.signal,
      );
      since = body.next_batch as string;
      const rooms = body.rooms as {
        join: Record<string, { timeline: { events: Array<{ content: { body?: string } }> } }>;
      };
      received += (rooms.join[roomId]?.timeline.events ?? []).filter((e) => e.content.body?.startsWith('wake')).length;
    }
  });
  while (ready < pollers) await sleep(50);
  await sleep(1000);

  const before = await snapshot(server, countFile);
  for (let i = 0; i < MESSAGES; i++) {
    await send(server.url, sender, roomId, `wake${pollers}-${i}`, `wake${i}`);
    const expected = pollers * (i + 1);
    for (let wait = 0; received < expected && wait < 400; wait++) await sleep(25);
    await sleep(20);
  }
  await sleep(500);
  const after = await snapshot(server, countFile);
  hangUp.abort();
  await Promise.allSettled(loops);
  if (received < pollers * MESSAGES) throw new Error(`only ${received} of ${pollers * MESSAGES} deliveries arrived`);
  return { counts: after.counts, cpuMs: after.cpuMs - before.cpuMs };
}

async function snapshot(server: BenchServer, countFile: string): Promise<{ counts: Counts; cpuMs: number }> {
  fs.rmSync(countFile, { force: true });
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 500 && !fs.existsSync(countFile); i++) await sleep(20);
  const counts = JSON.parse(fs.readFileSync(countFile, 'utf8')) as Counts;
  return { counts, cpuMs: sampleCpu(server.child.pid ?? 0)?.processMs ?? 0 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
