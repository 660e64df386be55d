/**
 * POST /search figures (issue 20, item 5), against `hearth start` in a child process and local
 * PostgreSQL: latency of message search over 100,000 messages, p50/p99 (target p50 ≤ 20 ms).
 *
 * The searcher is in 10 rooms of 10,000 messages each. The messages are written straight into the
 * events table (as the pipeline would store them, each room's after its last real event, so history
 * visibility reads real state), since sending 100,000 through the API would bench sending. Bodies
 * are 8 words drawn from 2,000 with a skew, so some words are in most messages and some in few.
 *
 *   npm run bench:search
 *   BENCH_MESSAGES=20000 BENCH_REQUESTS=100 npm run bench:search
 */
import { Client } from 'pg';
import { call, createBenchDatabase, createRoom, percentile, register, send, startServer } from './support/bench-server';

const PORT = Number(process.env.BENCH_PORT ?? 18_140);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const ROOMS = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WORDS = Array.from({ length: 2000 }, (_, i) => wordFor(i));

/** What people search for: a word in most messages, one in few, two words, a prefix; by rank and by date. */
const QUERIES: ReadonlyArray<{ label: string; term: string; order_by: 'rank' | 'recent' }> = [
  { label: 'common word, rank', term: WORDS[0]!, order_by: 'rank' },
  { label: 'common word, recent', term: WORDS[0]!, order_by: 'recent' },
  { label: 'rare word, rank', term: WORDS[1500]!, order_by: 'rank' },
  { label: 'two words, recent', term: `${WORDS[3]!} ${WORDS[40]!}`, order_by: 'recent' },
  { label: 'prefix, recent', term: WORDS[7]!.slice(0, 3), order_by: 'recent' },
];

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const server = await startServer(database, PORT);
  try {
    const token = await register(server.url, 'searcher');
    const rooms: string[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const roomId = await createRoom(server.url, token, [], { preset: 'private_chat' });
      await send(server.url, token, roomId, `seed${r}`, 'the first message');
      rooms.push(roomId);
    }
    const started = Date.now();
    await fill(database.url, rooms, MESSAGES);
    await database.analyze();
    console.log(`filled ${MESSAGES} messages in ${ROOMS} rooms in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const all: number[] = [];
    for (const query of QUERIES) {
      const body = { search_categories: { room_events: { search_term: query.term, order_by: query.order_by } } };
      await call(server.url, 'POST', '/_matrix/client/v3/search', body, token); // warm
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < REQUESTS / QUERIES.length; i++) {
        const start = process.hrtime.bigint();
        const res = await call(server.url, 'POST', '/_matrix/client/v3/search', body, token);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        count = (res.search_categories as Record<string, Record<string, number>>).room_events?.count ?? 0;
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      console.log(
        `${query.label.padEnd(22)} "${query.term}": ${String(count).padStart(6)} matches, p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
      );
    }
    all.sort((a, b) => a - b);
    console.log(
      `all ${all.length} searches over ${MESSAGES} messages: p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms (target p50 ≤ 20 ms)`,
    );
  } finally {
    await server.stop();
    if (process.env.BENCH_KEEP_DATABASE) console.log(`kept ${database.url}`);
    else await database.drop();
  }
}

/** Messages written as the pipeline stores them, each room's after its seed message and in its state. */
async function fill(url: string, rooms: readonly string[], messages: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const perRoom = Math.ceil(messages / rooms.length);
    for (const roomId of rooms) {
      await client.query(
        `WITH seed AS (
           SELECT sender, depth, state_group_after FROM events
           WHERE room_id = $1 AND type = 'm.room.message' ORDER BY stream_ordering DESC LIMIT 1
         ), base AS (SELECT position FROM stream_positions WHERE stream = 'events')
         INSERT INTO events (event_id, room_id, stream_ordering, depth, type, sender, origin_server_ts, pdu,
                             state_group_before, state_group_after)
         SELECT '$bench' || md5($1 || n), $1, base.position + n, seed.depth + n, 'm.room.message', seed.sender,
           1700000000000 + n,
           jsonb_build_object('type', 'm.room.message', 'room_id', $1, 'sender', seed.sender,
             'origin_server_ts', 1700000000000 + n, 'depth', seed.depth + n,
             'content', jsonb_build_object('msgtype', 'm.text', 'body',
               (SELECT string_agg(($3::text[])[1 + floor(2000 * power(random(), 3))::int], ' ')
                  FROM generate_series(1, 8) WHERE n > 0))),
           seed.state_group_after, seed.state_group_after
         FROM generate_series(1, $2) AS n, seed, base`,
        [roomId, perRoom, WORDS],
      );
      await client.query(`UPDATE stream_positions SET position = position + $1 WHERE stream = 'events'`, [perRoom]);
    }
  } finally {
    await client.end();
  }
}

/** A pronounceable made-up word per index, so bodies look like text to the parser and no two words collide. */
function wordFor(index: number): string {
  const consonants = 'bcdfghjklmnprstvz';
  const vowels = 'aeiou';
  let word = '';
  let n = index + 17;
  for (let i = 0; i < 3; i++) {
    word += consonants[n % consonants.length]! + vowels[Math.floor(n / consonants.length) % vowels.length]!;
    n = Math.floor(n / (consonants.length * vowels.length)) + i * 7;
  }
  return word;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
