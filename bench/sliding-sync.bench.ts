/**
 * Sliding sync figures (issue 19), against `hearth start` in a child process and local PostgreSQL:
 * a user in 1,000 rooms (each with two other members and a few messages) asks for the first page
 * as Element X does: one list, range [0, 19], timeline_limit 1, its required_state (with $LAZY and
 * $ME) and the five extensions, after ANALYZE (a fresh database has no planner statistics). Prints
 * the median of 10 first pages (each a new connection), of 10 expansions to [0, 99] from a first
 * page's pos, and of 10 incremental answers for one new message.
 *
 *   npm run bench:sliding
 */
import { Client } from 'pg';
import {
  agent,
  call,
  createBenchDatabase,
  createRoom,
  percentile,
  register,
  send,
  startServer,
} from './support/bench-server';

const PORT = Number(process.env.BENCH_PORT ?? 18_208);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1000);
const RUNS = 10;
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/** Element X's room list request (matrix-rust-sdk's room list service), give or take a state type. */
const requiredState = [
  ['m.room.avatar', ''],
  ['m.room.encryption', ''],
  ['m.room.member', '$LAZY'],
  ['m.room.member', '$ME'],
  ['m.room.canonical_alias', ''],
  ['m.room.join_rules', ''],
  ['m.room.name', ''],
  ['m.room.create', ''],
  ['m.room.power_levels', ''],
  ['m.room.topic', ''],
];
const extensions = {
  to_device: { enabled: true },
  e2ee: { enabled: true },
  account_data: { enabled: true },
  receipts: { enabled: true },
  typing: { enabled: true },
};
const page = (to: number) => ({
  lists: { all_rooms: { ranges: [[0, to]], timeline_limit: 1, required_state: requiredState } },
  extensions,
});

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const server = await startServer(database, PORT);
  try {
    const user = await register(server.url, 'reader');
    const others = [await register(server.url, 'other1'), await register(server.url, 'other2')];
    const rooms: string[] = [];
    const setupStarted = performance.now();
    for (let r = 0; r < ROOMS; r += 10)
      rooms.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, ROOMS - r) }, () => createRoom(server.url, user, others)),
        )),
      );
    let n = 0;
    for (let r = 0; r < rooms.length; r += 20)
      await Promise.all(
        rooms.slice(r, r + 20).map(async (roomId, i) => {
          for (let k = 0; k < 3; k++) await send(server.url, others[(i + k) % 2] as string, roomId, `m${n++}`);
        }),
      );
    process.stdout.write(`set-up: ${ROOMS} rooms in ${((performance.now() - setupStarted) / 1000).toFixed(0)} s\n`);
    // A server in steady state has planner statistics; one filled a minute ago may not have had its
    // autoanalyze yet, and with none the planner nests loops over every member of every room.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query('ANALYZE');
    await client.end();

    const timed = async (body: object, query = '') => {
      const started = performance.now();
      const response = await call(server.url, 'POST', `${SLIDING}${query}`, body, user);
      return { ms: performance.now() - started, response };
    };
    const report = (label: string, times: number[]) => {
      times.sort((a, b) => a - b);
      process.stdout.write(
        `${label}: median ${percentile(times, 50).toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)})\n`,
      );
    };

    const first: number[] = [];
    const expand: number[] = [];
    const incremental: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { ms, response } = await timed(page(19));
      first.push(ms);
      if (Object.keys(response.rooms as object).length !== 20) throw new Error('the first page did not hold 20 rooms');
      const grown = await timed(page(99), `?pos=${response.pos as string}`);
      expand.push(grown.ms);
      if (Object.keys(grown.response.rooms as object).length !== 80)
        throw new Error('the expansion did not send 80 rooms');
      await send(server.url, others[0] as string, rooms[run] as string, `live${run}`);
      const next = await timed(page(99), `?pos=${grown.response.pos as string}`);
      incremental.push(next.ms);
      if (Object.keys(next.response.rooms as object).length !== 1)
        throw new Error('the incremental answer was not one room');
    }
    report(`first page, 20 rooms of ${ROOMS}, timeline_limit 1, 5 extensions`, first);
    report('expansion to [0, 99] from the first page (80 rooms more)', expand);
    report('incremental after one new message (pos resumed)', incremental);
  } finally {
    await server.stop();
    await database.drop();
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
