/**
 * Sliding sync figures (issue 19), against `hearth start` in a child process and local PostgreSQL:
 * a user in 1,000 rooms (each with two other members and a few messages) asks for the first page
 * as Element X does: one list, range [0, 19], timeline_limit 1, its required_state (with $LAZY and
 * $ME) and the five extensions, after ANALYZE (a fresh database has no planner statistics). Prints
 * the median of 10 first pages (each a new connection), of 10 expansions to [0, 99] from a first
 * page's pos, and of 10 incremental answers for one new message.
 *
 * Issue 19, item 3 (big accounts): one of the rooms also gets BENCH_BIG_MEMBERS (10,000) more
 * joined members and a few messages from them, written by SQL as the event pipeline stores them
 * (member events, one state group delta, current state), so that it is the newest room and its
 * timeline senders must be lazily loaded. Then p50/p99 of the initial /sync with lazy-loaded
 * members (filter: timeline limit 10), of a sliding first page over every room (range [0, 999])
 * and of the 20-room first page. Last, what a 20-room and a 1,000-room first page cost whatever
 * the machine's load: server and database CPU per request, and from pg_stat_statements the
 * statements' count and execution time, with the five costliest. BENCH_KEEP_DATABASE=1 keeps the
 * database afterwards (for EXPLAIN ANALYZE).
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
import { sampleCpu, type CpuSample } from './support/cpu-time';

const PORT = Number(process.env.BENCH_PORT ?? 18_208);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1000);
const RUNS = 10;
const BIG_MEMBERS = Number(process.env.BENCH_BIG_MEMBERS ?? 10_000);
const BIG_MESSAGES = 5;
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
    const bigRoom = rooms.at(-1) as string;
    const seedStarted = performance.now();
    await seedMembers(database.url, bigRoom, BIG_MEMBERS, BIG_MESSAGES);
    process.stdout.write(
      `set-up: ${BIG_MEMBERS} members joined to ${bigRoom} by SQL in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`,
    );
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
        `${label}: median ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)})\n`,
      );
    };

    const filter = encodeURIComponent(
      JSON.stringify({ room: { timeline: { limit: 10 }, state: { lazy_load_members: true } } }),
    );
    const initialSync: number[] = [];
    const everyRoom: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const sync = await call(server.url, 'GET', `/_matrix/client/v3/sync?filter=${filter}`, undefined, user);
      initialSync.push(performance.now() - started);
      const join = (sync.rooms as { join: Record<string, { state: { events: unknown[] } }> }).join;
      if (Object.keys(join).length !== ROOMS) throw new Error('the initial /sync did not hold every room');
      if ((join[bigRoom]?.state.events.length ?? 0) > 100) throw new Error('the big room was not lazily loaded');
      const all = await timed(page(ROOMS - 1));
      everyRoom.push(all.ms);
      if (Object.keys(all.response.rooms as object).length !== ROOMS) throw new Error('the full page missed rooms');
    }
    report(`initial /sync, ${ROOMS} rooms, largest ${BIG_MEMBERS + 3} members, lazy members, timeline 10`, initialSync);
    report(`sliding first page over every room (range [0, ${ROOMS - 1}]), timeline_limit 1`, everyRoom);

    const first: number[] = [];
    const expand: number[] = [];
    const incremental: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { ms, response } = await timed(page(19));
      first.push(ms);
      if (Object.keys(response.rooms as object).length !== 20) throw new Error('the first page did not hold 20 rooms');
      if (!(response.rooms as Record<string, unknown>)[bigRoom])
        throw new Error('the big room was not on the first page');
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
    await reportCost(database, server.child.pid as number, '20-room first page', () => timed(page(19)));
    await reportCost(database, server.child.pid as number, `${ROOMS}-room first page`, () => timed(page(ROOMS - 1)));
  } finally {
    await server.stop();
    // BENCH_KEEP_DATABASE=1 leaves the database for EXPLAIN ANALYZE and the like.
    if (process.env.BENCH_KEEP_DATABASE) process.stdout.write(`kept database ${database.url}\n`);
    else await database.drop();
    agent.destroy();
  }
}

/**
 * What one request costs, whatever the machine's load: the CPU time of the server and of the
 * database's backends (from /proc) and, from pg_stat_statements (preloaded on the bench's
 * PostgreSQL), the statements run and their execution time, per request over RUNS requests; the
 * five costliest statements are printed.
 */
async function reportCost(
  database: { url: string; name: string },
  pid: number,
  label: string,
  request: () => Promise<unknown>,
): Promise<void> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // This database's statistics only: other databases on the server are other people's.
    await client.query(
      'SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)',
    );
    const cpuBefore = sampleCpu(pid, database.name);
    for (let run = 0; run < RUNS; run++) await request();
    const cpu = cpuPerRequest(cpuBefore, sampleCpu(pid, database.name));
    const { rows } = await client.query<{ query: string; calls: string; ms: number }>(
      `SELECT s.query, s.calls, s.total_exec_time AS ms FROM pg_stat_statements s
         JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
        ORDER BY s.total_exec_time DESC`,
    );
    const calls = rows.reduce((sum, row) => sum + Number(row.calls), 0) / RUNS;
    const ms = rows.reduce((sum, row) => sum + row.ms, 0) / RUNS;
    process.stdout.write(
      `${label}, per request: ${cpu}${calls.toFixed(1)} statements, ${ms.toFixed(1)} ms executing them\n`,
    );
    for (const row of rows.slice(0, 5))
      process.stdout.write(
        `  ${(row.ms / RUNS).toFixed(2)} ms x${Number(row.calls) / RUNS}: ${row.query.replace(/\s+/g, ' ').slice(0, 150)}\n`,
      );
  } finally {
    await client.end();
  }
}

/** Server and database backends' CPU per request (clock ticks are 10 ms); empty off Linux. */
function cpuPerRequest(before: CpuSample | undefined, after: CpuSample | undefined): string {
  if (!before || !after) return '';
  let backendMs = 0;
  for (const [pid, ticks] of after.backends) backendMs += (ticks - (before.backends.get(pid) ?? 0)) * 10;
  const serverMs = (after.processMs - before.processMs) / RUNS;
  return `server CPU ${serverMs.toFixed(1)} ms, database CPU ${(backendMs / RUNS).toFixed(1)} ms, `;
}

/**
 * `count` joined members and then `messages` messages from them in `roomId`, as the pipeline
 * stores them: member events after the room's last event, one state group (a delta on the last
 * event's group) holding them, current state, the room's forward extremity and activity moved to
 * the last message, and the events counter moved past them.
 */
async function seedMembers(url: string, roomId: string, count: number, messages: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const server = roomId.slice(roomId.indexOf(':') + 1);
    const [last] = (
      await client.query(
        `SELECT e.depth, e.state_group_after AS group_id, g.chain_depth, p.position
           FROM events e JOIN state_groups g ON g.id = e.state_group_after,
                stream_positions p
          WHERE e.room_id = $1 AND p.stream = 'events' ORDER BY e.stream_ordering DESC LIMIT 1`,
        [roomId],
      )
    ).rows as Array<{ depth: string; group_id: string; chain_depth: number; position: string }>;
    if (!last) throw new Error('the big room has no events');
    const [group] = (
      await client.query(
        'INSERT INTO state_groups (room_id, prev_group, chain_depth) VALUES ($1, $2, $3) RETURNING id',
        [roomId, last.group_id, last.chain_depth + 1],
      )
    ).rows as Array<{ id: string }>;
    const base = Number(last.position);
    const depth = Number(last.depth);
    await client.query(
      `INSERT INTO events (event_id, room_id, stream_ordering, depth, type, state_key, sender, origin_server_ts, pdu,
                           state_group_before, state_group_after)
       SELECT '$member' || md5($1 || n), $1, $2::bigint + n, $3::bigint + n, 'm.room.member', u.id, u.id, 1700000000000 + n,
              jsonb_build_object('type', 'm.room.member', 'room_id', $1, 'sender', u.id, 'state_key', u.id,
                'origin_server_ts', 1700000000000 + n, 'depth', $3::bigint + n,
                'content', jsonb_build_object('membership', 'join', 'displayname', 'Member ' || n)),
              $4, $5
         FROM generate_series(1, $6) AS n, LATERAL (SELECT '@member' || n || ':' || $7 AS id) u`,
      [roomId, base, depth, last.group_id, group!.id, count, server],
    );
    await client.query(
      `INSERT INTO state_group_entries (state_group, type, state_key, event_id)
       SELECT $1, 'm.room.member', state_key, event_id FROM events WHERE room_id = $2 AND stream_ordering > $3`,
      [group!.id, roomId, base],
    );
    await client.query(
      `INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering)
       SELECT $1, 'm.room.member', state_key, event_id, 'join', stream_ordering FROM events
        WHERE room_id = $1 AND stream_ordering > $2`,
      [roomId, base],
    );
    await client.query(
      `INSERT INTO events (event_id, room_id, stream_ordering, depth, type, sender, origin_server_ts, pdu,
                           state_group_before, state_group_after)
       SELECT '$said' || md5($1 || n), $1, $2::bigint + n, $3::bigint + n, 'm.room.message', u.id, 1700000100000 + n,
              jsonb_build_object('type', 'm.room.message', 'room_id', $1, 'sender', u.id,
                'origin_server_ts', 1700000100000 + n, 'depth', $3::bigint + n,
                'content', jsonb_build_object('msgtype', 'm.text', 'body', 'hello from member ' || n)),
              $4, $4
         FROM generate_series($5::int + 1, $5::int + $6) AS n, LATERAL (SELECT '@member' || n - $5::int || ':' || $7 AS id) u`,
      [roomId, base, depth, group!.id, count, messages, server],
    );
    await client.query('DELETE FROM room_forward_extremities WHERE room_id = $1', [roomId]);
    await client.query(
      `INSERT INTO room_forward_extremities (room_id, event_id)
       SELECT $1, event_id FROM events WHERE room_id = $1 ORDER BY stream_ordering DESC LIMIT 1`,
      [roomId],
    );
    await client.query(`UPDATE room_activity SET last_position = $2, bump_position = $2 WHERE room_id = $1`, [
      roomId,
      base + count + messages,
    ]);
    await client.query(`UPDATE stream_positions SET position = position + $1 WHERE stream = 'events'`, [
      count + messages,
    ]);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
