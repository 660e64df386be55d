/**
 * Issue 19's delivery figures: from the moment each PUT /send is issued (not when it returns) to
 * the moment the event arrives in a waiting /sync, with the long-polls in a process of their own
 * (neither the sender's nor the homeserver's):
 *
 *   one-to-one: one sender, one long-poll
 *   fan-out: 100 and 1,000 long-polls in the sender's room
 *
 * each with the messages sent back to back (the next PUT as soon as the last returned) and with a
 * pause between them; with the homeserver's and its database's CPU per delivered message.
 *
 *   npm run bench:sync-fanout
 *   BENCH_BASELINE=/path/to/checkout ...  each case on that checkout's build too, right after this
 *                                         one's (it must have run `npm ci`, which builds dist/)
 *   BENCH_FANOUT_POLLERS=1,100,1000  BENCH_FANOUT_MESSAGES=200  BENCH_FANOUT_PAUSE_MS=100  BENCH_PORT=18750
 *   BENCH_FANOUT_WARMUP=50               unmeasured messages first (default: about 20,000 deliveries' worth)
 *   BENCH_PROFILE_DIR=/tmp/prof ...      a V8 CPU profile of this build's homeserver, one per case
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import {
  agent,
  call,
  createBenchDatabase,
  createRoom,
  percentile,
  register,
  registerMany,
  send,
  startServer,
  type BenchServer,
} from './support/bench-server';
import { cpuPerItem, sampleCpu } from './support/cpu-time';

const POLLER_COUNTS = (process.env.BENCH_FANOUT_POLLERS ?? '1,100,1000').split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_FANOUT_MESSAGES ?? 200);
const PAUSE_MS = Number(process.env.BENCH_FANOUT_PAUSE_MS ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 18_750);
const BASELINE = process.env.BENCH_BASELINE;
const PROFILE = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
const SYNC = '/_matrix/client/v3/sync';
/** Room for every message of a run in one answer: a poller that fell behind still gets each event. */
const FILTER = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: Math.max(50, MESSAGES) } } }));
const PREFIX = 'fan';
/**
 * Unmeasured messages first, so that the figures are a running server's: V8 optimises the send
 * and sync code only after some thousands of calls, and 50 messages left a one-to-one send at
 * twice its steady cost. About 20,000 deliveries, 2,000 sends at most and 50 at least.
 */
const warmUpMessages = (pollers: number) =>
  Number(process.env.BENCH_FANOUT_WARMUP ?? Math.max(50, Math.min(2000, Math.round(20_000 / pollers))));

/** Messages from the bench to its poller process, and back. */
type ToPollers =
  | { readonly kind: 'start'; readonly url: string; readonly tokens: string[]; readonly roomId: string }
  | { readonly kind: 'stop' };
type FromPollers =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly failure: string }
  | { readonly kind: 'arrivals'; readonly arrivals: Array<[string, number[]]>; readonly failure?: string };

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes. */
const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const builds: Array<{ label: string; checkout?: string }> = [{ label: 'this build' }];
  if (BASELINE) builds.push({ label: `baseline ${BASELINE}`, checkout: BASELINE });
  for (const pollers of POLLER_COUNTS)
    for (const build of builds) {
      const database = await createBenchDatabase();
      const server = await startServer(database, PORT, {}, build.checkout ? [] : PROFILE, build.checkout);
      try {
        await runCase(server, database.name, pollers, build.label);
      } finally {
        await server.stop();
        await database.drop();
      }
    }
  agent.destroy();
}

/** One room of a sender and `pollers` long-polling members: both send patterns, one after the other. */
async function runCase(server: BenchServer, databaseName: string, pollers: number, label: string): Promise<void> {
  const sender = await register(server.url, 'sender');
  const tokens = await registerMany(server.url, 'poller', pollers);
  const roomId = await createRoom(server.url, sender, tokens);
  const child = fork(__filename, ['pollers'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    child.send({ kind: 'start', url: server.url, tokens, roomId } satisfies ToPollers);
    await nextMessage(child, 'ready');
    // A server that has been running has its code compiled: warm this one up first, unmeasured.
    for (let i = 0; i < warmUpMessages(pollers); i++) await send(server.url, sender, roomId, `warm${i}`, `warm${i}`);
    await sleep(2000);
    const sentAt = new Map<string, number>();
    const runs: Array<{ name: string; pauseMs: number; ids: string[]; cpu: string }> = [];
    for (const [name, pauseMs] of [
      ['back to back', 0],
      [`${PAUSE_MS} ms apart`, PAUSE_MS],
    ] as const) {
      const ids: string[] = [];
      const before = sampleCpu(server.child.pid ?? 0, databaseName);
      for (let i = 0; i < MESSAGES; i++) {
        const id = `${PREFIX}${runs.length}-${i}`;
        ids.push(id);
        sentAt.set(id, now());
        await send(server.url, sender, roomId, id, id);
        if (pauseMs > 0) await sleep(pauseMs);
      }
      await sleep(3000); // the last deliveries
      const after = sampleCpu(server.child.pid ?? 0, databaseName);
      runs.push({ name, pauseMs, ids, cpu: cpuPerItem(before, after, undefined, MESSAGES * pollers, 'delivery') });
    }
    child.send({ kind: 'stop' } satisfies ToPollers);
    const { arrivals, failure } = (await nextMessage(child, 'arrivals')) as Extract<FromPollers, { kind: 'arrivals' }>;
    if (failure) throw new Error(`a poller failed: ${failure}`);
    const arrived = new Map(arrivals);
    for (const run of runs) {
      const delays: number[] = [];
      let missing = 0;
      for (const id of run.ids) {
        const times = arrived.get(id) ?? [];
        missing += pollers - times.length;
        for (const at of times) delays.push(at - (sentAt.get(id) ?? at));
      }
      delays.sort((a, b) => a - b);
      const ms = (p: number) => percentile(delays, p).toFixed(1);
      process.stdout.write(
        `${pollers === 1 ? 'one-to-one' : `fan-out to ${pollers}`}, ${MESSAGES} messages ${run.name} [${label}]: send → sync p50 ${ms(50)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms over ${delays.length} deliveries (${missing} missing)${run.cpu}\n`,
      );
    }
  } finally {
    child.kill();
  }
}

function nextMessage(child: ChildProcess, kind: FromPollers['kind']): Promise<FromPollers> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromPollers) => {
      if (message.kind === 'failed') reject(new Error(`a poller failed: ${message.failure}`));
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the poller process exited with ${code}`)));
  });
}

/** The poller process: each token long-polls in a loop and notes when each bench message reaches it. */
function runPollers(): void {
  const arrivals = new Map<string, number[]>();
  const hangUp = new AbortController();
  let failure: string | undefined;
  let loops: Promise<void>[] = [];
  process.on('message', (message: ToPollers) => {
    if (message.kind === 'start') {
      setMaxListeners(message.tokens.length + 1, hangUp.signal);
      let ready = 0;
      loops = message.tokens.map((token) =>
        poll(message.url, token, message.roomId, arrivals, hangUp.signal, () => {
          if (++ready === message.tokens.length) setTimeout(() => process.send?.({ kind: 'ready' }), 1000);
        }).catch((error: unknown) => {
          if (hangUp.signal.aborted) return;
          // Before every poller is ready nobody would ever be told: say so at once.
          if (ready < message.tokens.length && failure === undefined)
            process.send?.({ kind: 'failed', failure: String(error) });
          failure ??= String(error);
        }),
      );
    } else {
      hangUp.abort();
      void Promise.all(loops).then(() => {
        const reply: FromPollers = { kind: 'arrivals', arrivals: [...arrivals], ...(failure ? { failure } : {}) };
        process.send?.(reply, () => process.exit(0));
      });
    }
  });
}

async function poll(
  url: string,
  token: string,
  roomId: string,
  arrivals: Map<string, number[]>,
  signal: AbortSignal,
  synced: () => void,
): Promise<void> {
  let since = (await call(url, 'GET', `${SYNC}?filter=${FILTER}`, undefined, token)).next_batch as string;
  synced();
  while (!signal.aborted) {
    const body = await call(
      url,
      'GET',
      `${SYNC}?since=${since}&timeout=30000&filter=${FILTER}`,
      undefined,
      token,
      signal,
    );
    const at = now();
    since = body.next_batch as string;
    const rooms = body.rooms as {
      join: Record<string, { timeline: { events: Array<{ content: { body?: string } }> } }>;
    };
    for (const event of rooms.join[roomId]?.timeline.events ?? []) {
      const id = event.content.body;
      if (!id?.startsWith(PREFIX)) continue;
      const times = arrivals.get(id);
      if (times) times.push(at);
      else arrivals.set(id, [at]);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (process.argv[2] === 'pollers') runPollers();
else
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
